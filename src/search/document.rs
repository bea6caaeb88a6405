//! Whole stored documents, found by id or by the path of their file (`newsfind show`).

use std::path::Path;

use chrono::NaiveDate;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::{dates, stored_slug, teaser_stats, DocKind, SearchIndex, TeaserStats};
use crate::index::docs;
use crate::index::schema::{KIND_ARTICLE, KIND_TEASER};

/// A document as indexed.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub source: String,
    pub source_slug: String,
    pub path: String,
    pub byline: Option<String>,
    pub read_minutes: Option<u64>,
    /// Caption texts with their credits.
    pub captions: Vec<(String, Option<String>)>,
    /// The body, or a teaser's summary.
    pub body: String,
    pub teaser: Option<TeaserStats>,
    /// Teasers: the id of the indexed article with the same title, if any.
    pub article_id: Option<String>,
    /// Articles: in how many indexed files their title appears as a teaser.
    pub seen_as_teaser: Option<u64>,
}

/// Whether `target` is a document id: `a` or `t` and 16 hex digits.
pub fn is_doc_id(target: &str) -> bool {
    target.len() == 17
        && (target.starts_with('a') || target.starts_with('t'))
        && target[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl SearchIndex {
    /// The document with id `target`, or the article of the file at path `target`.
    pub fn document(&self, target: &str) -> anyhow::Result<Option<Document>> {
        let searcher = self.searcher();
        let f = self.fields;
        let found = if is_doc_id(target) {
            self.first_doc(&searcher, Box::new(term_query(docs::id_term(&f, target))))?
        } else {
            let path = Path::new(target);
            let mut tries = vec![target.to_string()];
            for p in [
                std::path::absolute(path).ok(),
                std::fs::canonicalize(path).ok(),
            ]
            .into_iter()
            .flatten()
            {
                let p = p.display().to_string();
                if !tries.contains(&p) {
                    tries.push(p);
                }
            }
            let mut found = None;
            for p in tries {
                let query = BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(term_query(Term::from_field_text(f.path, &p))) as Box<dyn Query>,
                    ),
                    (
                        Occur::Must,
                        Box::new(term_query(Term::from_field_text(f.kind, KIND_ARTICLE))),
                    ),
                ]);
                found = self.first_doc(&searcher, Box::new(query))?;
                if found.is_some() {
                    break;
                }
            }
            found
        };
        match found {
            Some(doc) => Ok(Some(self.to_document(&searcher, &doc)?)),
            None => Ok(None),
        }
    }

    /// The id of an indexed article titled `title` (as a teaser names it), if any.
    pub fn article_id_titled(
        &self,
        searcher: &Searcher,
        title: &str,
    ) -> anyhow::Result<Option<String>> {
        let f = &self.fields;
        let key = format!("{:016x}", crate::article::title_key(title));
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(term_query(Term::from_field_text(f.title_key, &key))) as Box<dyn Query>,
            ),
            (
                Occur::Must,
                Box::new(term_query(Term::from_field_text(f.kind, KIND_ARTICLE))),
            ),
        ]);
        Ok(self
            .first_doc(searcher, Box::new(query))?
            .map(|a| self.text(&a, f.id).to_string()))
    }

    fn first_doc(
        &self,
        searcher: &Searcher,
        query: Box<dyn Query>,
    ) -> anyhow::Result<Option<TantivyDocument>> {
        let top = searcher.search(&*query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(searcher.doc(*addr)?)),
            None => Ok(None),
        }
    }

    fn to_document(&self, searcher: &Searcher, doc: &TantivyDocument) -> anyhow::Result<Document> {
        let f = &self.fields;
        let text = |field| self.text(doc, field).to_string();
        let kind = DocKind::from_stored(doc.get_first(f.kind).and_then(|v| v.as_str()));
        let title = text(f.title);
        let credits: Vec<&str> = doc.get_all(f.credits).filter_map(|v| v.as_str()).collect();
        let captions = doc
            .get_all(f.captions)
            .filter_map(|v| v.as_str())
            .enumerate()
            .map(|(i, caption)| {
                let credit = credits
                    .get(i)
                    .filter(|c| !c.is_empty())
                    .map(|c| c.to_string());
                (caption.to_string(), credit)
            })
            .collect();
        let (teaser, article_id, seen_as_teaser) = match kind {
            DocKind::Teaser => {
                let article = self.article_id_titled(searcher, &title)?;
                (Some(teaser_stats(doc, f)), article, None)
            }
            DocKind::Article => (None, None, self.teaser_seen_count(searcher, &title)?),
        };
        debug_assert!(kind != DocKind::Teaser || self.text(doc, f.kind) == KIND_TEASER);
        Ok(Document {
            id: text(f.id),
            kind,
            date: doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .and_then(|d| dates::day_of_secs(d.into_timestamp_secs())),
            source: text(f.source_name),
            source_slug: stored_slug(doc, f),
            path: text(f.path),
            byline: doc
                .get_first(f.byline)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            read_minutes: doc.get_first(f.read_minutes).and_then(|v| v.as_u64()),
            captions,
            body: text(f.body),
            teaser,
            article_id,
            seen_as_teaser,
            title,
        })
    }
}

fn term_query(term: Term) -> TermQuery {
    TermQuery::new(term, IndexRecordOption::Basic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_doc_id("a0123456789abcdef"));
        assert!(is_doc_id("tfedcba9876543210"));
        assert!(!is_doc_id("x0123456789abcdef"));
        assert!(!is_doc_id("a0123"));
        assert!(!is_doc_id("data/a0123456789abcdef"));
    }
}
