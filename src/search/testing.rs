//! Small in-memory indexes for the searcher's unit tests, with documents shaped as the
//! ingester writes them.

use chrono::NaiveDate;
use tantivy::schema::Facet;
use tantivy::{DateTime, Index, TantivyDocument};

use super::dates::day_start_secs;
use crate::index::docs;
use crate::index::schema::{
    build_schema, register_tokenizers, Fields, FOLDED, KIND_ARTICLE, KIND_TEASER,
};

/// A document to put in a test index.
#[derive(Debug, Clone, Default)]
pub struct TestDoc {
    pub teaser: bool,
    pub path: &'static str,
    pub title: &'static str,
    pub body: &'static str,
    pub captions: Vec<(&'static str, &'static str)>,
    pub byline: Option<&'static str>,
    /// Slug and display name.
    pub source: (&'static str, &'static str),
    pub date: Option<&'static str>,
    pub seen_count: u64,
    pub folded: bool,
}

pub fn test_index(docs: &[TestDoc]) -> (Index, Fields) {
    let index = Index::create_in_ram(build_schema());
    register_tokenizers(&index);
    let fields = Fields::new(&index.schema()).expect("fields");
    let mut writer = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    for d in docs {
        writer.add_document(to_doc(&fields, d)).expect("add");
    }
    writer.commit().expect("commit");
    (index, fields)
}

fn to_doc(f: &Fields, d: &TestDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    let key = crate::article::title_key(d.title);
    let id = if d.teaser {
        docs::teaser_id(key)
    } else {
        docs::article_id(d.path)
    };
    doc.add_text(f.id, id);
    doc.add_text(f.kind, if d.teaser { KIND_TEASER } else { KIND_ARTICLE });
    doc.add_text(f.path, d.path);
    doc.add_text(f.title, d.title);
    doc.add_text(f.title_key, format!("{key:016x}"));
    doc.add_text(f.body, d.body);
    for (caption, credit) in &d.captions {
        doc.add_text(f.captions, caption);
        doc.add_text(f.credits, credit);
    }
    if let Some(byline) = d.byline {
        doc.add_text(f.byline, byline);
    }
    let (slug, name) = if d.source.0.is_empty() {
        ("unknown", "unknown")
    } else {
        d.source
    };
    doc.add_text(f.source, format!("{slug} {name}"));
    doc.add_facet(f.source_facet, Facet::from_path([slug]));
    doc.add_text(f.source_name, name);
    if let Some(date) = d.date {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("test date");
        doc.add_date(f.date, DateTime::from_timestamp_secs(day_start_secs(day)));
        let s = day.format("%Y/%m/%d").to_string();
        doc.add_facet(f.date_facet, Facet::from_path(s.split('/')));
        if d.teaser {
            doc.add_date(
                f.last_seen,
                DateTime::from_timestamp_secs(day_start_secs(day)),
            );
        }
    }
    if d.teaser {
        doc.add_u64(f.seen_count, d.seen_count.max(1));
        doc.add_bool(f.truncated, false);
        if d.folded {
            doc.add_text(f.folded, FOLDED);
        }
    }
    doc
}
