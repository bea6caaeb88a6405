//! Small in-memory indexes for the searcher's unit tests, with documents made by the
//! same codec as the ingester's.

use std::path::Path;

use chrono::NaiveDate;
use tantivy::{Index, TantivyDocument};

use crate::article::DisplaySource;
use crate::index::codec::{
    add_story, article_id, ArticleDoc, StoredDoc, StoryFields, TeaserDoc, TeaserText,
};
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
    /// Articles: the story they share with their copies.
    pub story: Option<u64>,
}

pub fn test_index(docs: &[TestDoc]) -> (Index, Fields) {
    test_index_in_segments(docs, usize::MAX)
}

/// A test index whose documents are committed `per_segment` at a time (a segment each).
pub fn test_index_in_segments(docs: &[TestDoc], per_segment: usize) -> (Index, Fields) {
    let index = Index::create_in_ram(build_schema());
    register_tokenizers(&index);
    let fields = Fields::new(&index.schema()).expect("fields");
    let mut writer = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    for part in docs.chunks(per_segment.max(1)) {
        for d in part {
            writer.add_document(to_doc(&fields, d)).expect("add");
        }
        writer.commit().expect("commit");
    }
    if docs.is_empty() {
        writer.commit().expect("commit");
    }
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
    let mut doc = stored.to_tantivy(f);
    if d.story.is_some() {
        let story = StoryFields {
            story: d.story,
            ..StoryFields::default()
        };
        add_story(&mut doc, f, &story);
    }
    doc
}
