//! Small in-memory indexes for the searcher's unit tests, with documents made by the
//! same codec as the ingester's.

use std::path::Path;

use chrono::NaiveDate;
use tantivy::{Index, TantivyDocument};

use crate::article::DisplaySource;
use crate::index::codec::{article_id, ArticleDoc, StoredDoc, TeaserDoc, TeaserText};
use crate::index::day::Day;
use crate::index::schema::{build_schema, register_tokenizers, Fields};

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
    let source = if d.source.0.is_empty() {
        DisplaySource {
            slug: "unknown".into(),
            name: "unknown".into(),
        }
    } else {
        DisplaySource {
            slug: d.source.0.into(),
            name: d.source.1.into(),
        }
    };
    let day = d.date.map(|date| {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("test date");
        Day::from_date(date).expect("a test date within the calendar")
    });
    let stored = if d.teaser {
        StoredDoc::Teaser(TeaserDoc {
            key: crate::article::title_key(d.title),
            text: TeaserText {
                title: d.title.into(),
                summary: d.body.into(),
                truncated: false,
            },
            first_path: d.path.into(),
            first_source: source,
            first_day: day,
            last_day: day,
            seen_count: d.seen_count.max(1),
            folded: d.folded,
        })
    } else {
        StoredDoc::Article(ArticleDoc {
            id: article_id(Path::new(d.path)),
            path: d.path.into(),
            title: d.title.into(),
            body: d.body.into(),
            captions: d
                .captions
                .iter()
                .map(|(c, credit)| {
                    let credit = (!credit.is_empty()).then(|| credit.to_string());
                    (c.to_string(), credit)
                })
                .collect(),
            byline: d.byline.map(str::to_string),
            source,
            day,
            read_minutes: None,
        })
    };
    stored.to_tantivy(f)
}
