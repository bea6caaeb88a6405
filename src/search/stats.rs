//! What an index holds (`newsfind stats`): documents by kind, sources, dates, size.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use tantivy::collector::Count;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::collect::{HitCollector, SortOrder};
use super::SearchIndex;
use crate::index::day::Day;
use crate::index::schema::{FOLDED, KIND_ARTICLE, KIND_TEASER};

/// A source (by slug) and how many documents it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCount {
    pub slug: String,
    pub count: u64,
}

/// Counts over a whole index. Sources and dates are those of articles.
#[derive(Debug, Clone)]
pub struct IndexStats {
    pub documents: u64,
    pub articles: u64,
    pub teasers: u64,
    /// Teasers whose title is the title of an indexed article.
    pub folded_teasers: u64,
    pub undated_articles: u64,
    /// Distinct sources of articles.
    pub sources: u64,
    /// The sources with most articles, most first.
    pub top_sources: Vec<SourceCount>,
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
    /// Dated articles per year.
    pub years: Vec<(i32, u64)>,
    pub segments: usize,
    /// Bytes of every file in the index folder.
    pub size_bytes: u64,
}

impl SearchIndex {
    /// Counts what the index in `dir` holds.
    pub fn stats(&self, dir: &Path) -> anyhow::Result<IndexStats> {
        let searcher = self.searcher();
        let f = self.fields;
        let schema = searcher.schema();
        let term_count =
            |term: Term| searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count);
        let articles_query = TermQuery::new(
            Term::from_field_text(f.kind, KIND_ARTICLE),
            IndexRecordOption::Basic,
        );
        let collector = HitCollector {
            order: SortOrder::Relevance,
            keep: 0,
            facets: true,
            date_field: schema.get_field_name(f.date).to_string(),
            source_facet_field: schema.get_field_name(f.source_facet).to_string(),
        };
        let collected = searcher.search(&articles_query, &collector)?;
        let raw = collected.facets.unwrap_or_default();
        let sources = raw.sources.len() as u64;
        let first_day = raw.days.keys().min().copied();
        let last_day = raw.days.keys().max().copied();
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        for (&day, &count) in &raw.days {
            if let Some(date) = Day::from_number(day).map(Day::date) {
                *years.entry(date.year()).or_default() += count;
            }
        }
        let undated_articles = raw.undated;
        let top_sources = super::top_sources(raw.sources);
        Ok(IndexStats {
            documents: searcher.search(&AllQuery, &Count)? as u64,
            articles: collected.total,
            teasers: term_count(Term::from_field_text(f.kind, KIND_TEASER))? as u64,
            folded_teasers: term_count(Term::from_field_text(f.folded, FOLDED))? as u64,
            undated_articles,
            sources,
            top_sources,
            first_date: first_day.and_then(Day::from_number).map(Day::date),
            last_date: last_day.and_then(Day::from_number).map(Day::date),
            years: years.into_iter().collect(),
            segments: searcher.segment_readers().len(),
            size_bytes: dir_size(dir),
        })
    }
}

/// Total size of the files under `dir`; unreadable entries count for nothing.
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => dir_size(&entry.path()),
            Ok(_) => entry.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}
