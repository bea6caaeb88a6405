//! Whole stored documents, found by id or by the path of their file (`newsfind show`).

use std::path::Path;

use chrono::NaiveDate;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, TantivyDocument, Term};

use super::{teaser_stats, DocKind, SearchIndex, TeaserStats};
use crate::index::codec::{self as docs, StoredDoc};
use crate::index::day::Day;
use crate::index::schema::KIND_ARTICLE;

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

pub use crate::index::codec::is_doc_id;

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
        let key = crate::article::title_key(title);
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(term_query(docs::title_key_term(f, key))) as Box<dyn Query>,
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
        Ok(match StoredDoc::from_tantivy(&self.fields, doc)? {
            StoredDoc::Article(a) => Document {
                seen_as_teaser: self.teaser_seen_count(searcher, &a.title)?,
                id: a.id,
                kind: DocKind::Article,
                title: a.title,
                date: a.day.map(Day::date),
                source: a.source.name,
                source_slug: a.source.slug,
                path: a.path,
                byline: a.byline,
                read_minutes: a.read_minutes,
                captions: a.captions,
                body: a.body,
                teaser: None,
                article_id: None,
            },
            StoredDoc::Teaser(t) => {
                let article_id = self.article_id_titled(searcher, &t.text.title)?;
                Document {
                    id: docs::teaser_id(t.key),
                    kind: DocKind::Teaser,
                    teaser: Some(teaser_stats(&t)),
                    title: t.text.title,
                    date: t.first_day.map(Day::date),
                    source: t.first_source.name,
                    source_slug: t.first_source.slug,
                    path: t.first_path,
                    byline: None,
                    read_minutes: None,
                    captions: Vec::new(),
                    body: t.text.summary,
                    article_id,
                    seen_as_teaser: None,
                }
            }
        })
    }
}

fn term_query(term: Term) -> TermQuery {
    TermQuery::new(term, IndexRecordOption::Basic)
}
