//! Turning parsed articles and teasers into tantivy documents.

use chrono::{Datelike, NaiveDate};
use tantivy::schema::Facet;
use tantivy::{DateTime, TantivyDocument, Term};

use super::schema::{Fields, FOLDED, KIND_ARTICLE, KIND_TEASER};
use crate::article::{Article, DisplaySource};

/// Id of the article document of a file.
pub fn article_id(path: &str) -> String {
    format!("a{:016x}", article_hash(path))
}

/// The number in an article's id.
pub fn article_hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// The number in an article id (`a` and 16 hex digits).
pub fn article_hash_of_id(id: &str) -> Option<u64> {
    let hex = id.strip_prefix('a')?;
    (hex.len() == 16).then(|| u64::from_str_radix(hex, 16).ok())?
}

/// What an article document says about its story.
#[derive(Debug, Clone, Default)]
pub struct StoryFields {
    /// Its story, when it has copies.
    pub story: Option<u64>,
    pub signature: Option<crate::story::Signature>,
    /// Keys of its paragraphs that could be boilerplate.
    pub paragraphs: Vec<u64>,
}

/// Adds the story fields to an article document.
pub fn add_story(doc: &mut TantivyDocument, fields: &Fields, story: &StoryFields) {
    if let Some(id) = story.story {
        doc.add_u64(fields.story, id);
    }
    if let Some(sig) = &story.signature {
        doc.add_bytes(fields.story_sig, &sig.to_bytes());
        for band in sig.bands() {
            doc.add_u64(fields.story_band, band);
        }
    }
    for &key in &story.paragraphs {
        doc.add_u64(fields.story_para, key);
    }
}

/// Id of the teaser document of a title key.
pub fn teaser_id(key: u64) -> String {
    format!("t{key:016x}")
}

pub fn id_term(fields: &Fields, id: &str) -> Term {
    Term::from_field_text(fields.id, id)
}

pub fn day_number(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

pub fn day_date(day: i32) -> NaiveDate {
    NaiveDate::default() + chrono::Days::new(day as u64)
}

fn add_date(doc: &mut TantivyDocument, fields: &Fields, day: i32) {
    doc.add_date(
        fields.date,
        DateTime::from_timestamp_secs(i64::from(day) * 86_400),
    );
    let d = day_date(day);
    doc.add_facet(
        fields.date_facet,
        Facet::from_path([
            format!("{:04}", d.year()),
            format!("{:02}", d.month()),
            format!("{:02}", d.day()),
        ]),
    );
}

fn add_source(doc: &mut TantivyDocument, fields: &Fields, source: &DisplaySource) {
    doc.add_text(fields.source, format!("{} {}", source.slug, source.name));
    doc.add_facet(
        fields.source_facet,
        Facet::from_path([source.slug.as_str()]),
    );
    doc.add_text(fields.source_name, &source.name);
}

/// The article document of a parsed file.
pub fn article_doc(
    fields: &Fields,
    path: &str,
    article: &Article,
    source: &DisplaySource,
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.id, article_id(path));
    doc.add_text(fields.kind, KIND_ARTICLE);
    doc.add_text(fields.path, path);
    doc.add_text(fields.title, &article.title);
    doc.add_text(
        fields.title_key,
        format!("{:016x}", crate::article::title_key(&article.title)),
    );
    doc.add_text(fields.body, article.body());
    for caption in &article.captions {
        doc.add_text(fields.captions, &caption.text);
        doc.add_text(fields.credits, caption.credit.as_deref().unwrap_or(""));
    }
    if let Some(byline) = &article.byline {
        doc.add_text(fields.byline, byline);
    }
    add_source(&mut doc, fields, source);
    if let Some(date) = article.date {
        add_date(&mut doc, fields, day_number(date));
    }
    if let Some(minutes) = article.read_minutes {
        doc.add_u64(fields.read_minutes, u64::from(minutes));
    }
    doc
}

/// What a teaser document says, beside its sightings.
#[derive(Debug, Clone)]
pub struct TeaserText {
    pub title: String,
    pub summary: String,
    pub truncated: bool,
}

impl TeaserText {
    /// Of two texts of the same teaser, the one to keep: a whole summary over a cut one,
    /// then the longer.
    pub fn better(self, other: TeaserText) -> TeaserText {
        let rank = |t: &TeaserText| (!t.truncated, t.summary.len());
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }
}

/// Where and when a teaser was seen, summed up.
#[derive(Debug, Clone)]
pub struct TeaserSeen<'a> {
    pub count: u64,
    /// Path and source of the first file it was seen in.
    pub first_path: &'a str,
    pub first_source: &'a DisplaySource,
    pub first_day: Option<i32>,
    pub last_day: Option<i32>,
    /// An indexed article has the same title.
    pub folded: bool,
}

pub fn teaser_doc(
    fields: &Fields,
    key: u64,
    text: &TeaserText,
    seen: &TeaserSeen<'_>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.id, teaser_id(key));
    doc.add_text(fields.kind, KIND_TEASER);
    doc.add_text(fields.path, seen.first_path);
    doc.add_text(fields.title, &text.title);
    doc.add_text(fields.title_key, format!("{key:016x}"));
    doc.add_text(fields.body, &text.summary);
    add_source(&mut doc, fields, seen.first_source);
    if let Some(day) = seen.first_day {
        add_date(&mut doc, fields, day);
    }
    if let Some(day) = seen.last_day {
        doc.add_date(
            fields.last_seen,
            DateTime::from_timestamp_secs(i64::from(day) * 86_400),
        );
    }
    doc.add_u64(fields.seen_count, seen.count);
    doc.add_bool(fields.truncated, text.truncated);
    if seen.folded {
        doc.add_text(fields.folded, FOLDED);
    }
    doc
}
