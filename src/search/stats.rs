//! What an index holds (`newsfind stats`): documents by kind, sources, dates, size.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DocId, Score, SegmentReader, Term};

use super::collect::{HitCollector, SortOrder};
use super::SearchIndex;
use crate::index::day::Day;
use crate::index::schema::{FOLDED, KIND_ARTICLE, KIND_TEASER};

/// A source and how many documents it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCount {
    pub slug: String,
    /// Display name, as found in the archive.
    pub name: String,
    pub count: u64,
    /// Stories among those documents (copies of one story count once), where counted:
    /// in a search's facets, not in `stats`.
    pub stories: Option<u64>,
}

/// A source of the index: its articles and their dates (`newsfind sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub slug: String,
    /// Display name, as found in the archive.
    pub name: String,
    pub articles: u64,
    /// First and last date of its dated articles.
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
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
    /// Stories among the articles: copies of one story count once.
    pub stories: u64,
    /// Stories of more than one article, and the articles in them.
    pub stories_with_copies: u64,
    pub articles_with_copies: u64,
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
            collapse: true,
            story_field: schema.get_field_name(f.story).to_string(),
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
        let top_sources = self.top_sources(&searcher, raw.sources)?;
        Ok(IndexStats {
            documents: searcher.search(&AllQuery, &Count)? as u64,
            articles: collected.total,
            stories: collected.stories,
            stories_with_copies: collected.groups.len() as u64,
            articles_with_copies: collected
                .groups
                .values()
                .map(|g| g.members.len() as u64)
                .sum(),
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

impl SearchIndex {
    /// Every source of the index's articles, most articles first (ties by name).
    pub fn sources(&self) -> anyhow::Result<Vec<SourceSummary>> {
        let searcher = self.searcher();
        let f = self.fields;
        let schema = searcher.schema();
        let articles = TermQuery::new(
            Term::from_field_text(f.kind, KIND_ARTICLE),
            IndexRecordOption::Basic,
        );
        let spans = searcher.search(
            &articles,
            &SourceSpans {
                date_field: schema.get_field_name(f.date).to_string(),
                source_field: schema.get_field_name(f.source_facet).to_string(),
            },
        )?;
        let mut list = spans
            .into_iter()
            .map(|(slug, span)| {
                Ok(SourceSummary {
                    name: self.source_name(&searcher, &slug)?,
                    slug,
                    articles: span.count,
                    first: span.first.and_then(Day::from_number).map(Day::date),
                    last: span.last.and_then(Day::from_number).map(Day::date),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        list.sort_by(|a, b| {
            b.articles
                .cmp(&a.articles)
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
                .then_with(|| a.slug.cmp(&b.slug))
        });
        Ok(list)
    }
}

/// Count and first and last date (seconds) of a source's documents.
#[derive(Debug, Default, Clone, Copy)]
struct Span {
    count: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Span {
    fn add(&mut self, date: Option<i64>, count: u64) {
        self.count += count;
        if let Some(d) = date {
            self.first = Some(self.first.map_or(d, |f| f.min(d)));
            self.last = Some(self.last.map_or(d, |l| l.max(d)));
        }
    }

    fn merge(&mut self, other: Span) {
        self.count += other.count;
        for d in [other.first, other.last].into_iter().flatten() {
            self.add(Some(d), 0);
        }
    }
}

/// Collects a [`Span`] per source slug, from the fast fields.
struct SourceSpans {
    date_field: String,
    source_field: String,
}

struct SegmentSpans {
    dates: Option<Column<i64>>,
    sources: Option<StrColumn>,
    /// Per source ordinal of the segment.
    spans: Vec<Span>,
}

impl Collector for SourceSpans {
    type Fruit = HashMap<String, Span>;
    type Child = SegmentSpans;

    fn for_segment(&self, _: u32, reader: &SegmentReader) -> tantivy::Result<SegmentSpans> {
        let sources = reader.fast_fields().str(&self.source_field)?;
        let terms = sources.as_ref().map_or(0, |s| s.num_terms());
        Ok(SegmentSpans {
            dates: reader.fast_fields().column_opt::<i64>(&self.date_field)?,
            sources,
            spans: vec![Span::default(); terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, Span>>) -> tantivy::Result<Self::Fruit> {
        let mut all: HashMap<String, Span> = HashMap::new();
        for fruit in fruits {
            for (slug, span) in fruit {
                all.entry(slug).or_default().merge(span);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentSpans {
    type Fruit = HashMap<String, Span>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let date = self.dates.as_ref().and_then(|c| c.first(doc));
        if let Some(sources) = &self.sources {
            for ord in sources.ords().values_for_doc(doc) {
                if let Some(span) = self.spans.get_mut(ord as usize) {
                    span.add(date, 1);
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = HashMap::new();
        let Some(column) = &self.sources else {
            return out;
        };
        let ords: Vec<u64> = (0..self.spans.len() as u64)
            .filter(|&ord| self.spans[ord as usize].count > 0)
            .collect();
        let mut spans = ords.iter().map(|&ord| self.spans[ord as usize]);
        let _ = column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |encoded| {
                let span = spans.next().unwrap_or_default();
                // `/slug`: the slug is the first (only) path component.
                let facet = Facet::from_encoded(encoded.to_vec()).unwrap_or_else(|_| Facet::root());
                if let Some(slug) = facet.to_path().first() {
                    out.entry((*slug).to_string())
                        .or_insert_with(Span::default)
                        .merge(span);
                }
            });
        out
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
