//! The shape of a document in a Sphinx shard: the only place its columns are spelled.
//! The configuration declares them from [`COLUMNS`], the sync fills them from an indexed
//! document, remote searches read them back.
//!
//! Sphinx 2.2 does not store full-text fields, so the texts a hit shows (title, body for
//! snippets, captions) are kept twice: as a field to search and as a string attribute.

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value as Json};

use crate::index::day::Day;
use crate::index::schema::{KIND_ARTICLE, KIND_TEASER};

/// How Sphinx holds a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Full-text field (`rt_field`): searched, not stored.
    Field,
    /// `rt_attr_string`.
    Text,
    /// `rt_attr_uint` (32 bits).
    Uint,
    /// `rt_attr_bigint` (signed 64 bits).
    Bigint,
}

/// Every column but `id`, in the order of the `REPLACE` statements.
pub const COLUMNS: [(&str, ColumnType); 23] = [
    (TITLE, ColumnType::Field),
    (BODY, ColumnType::Field),
    (CAPTIONS, ColumnType::Field),
    (BYLINE, ColumnType::Field),
    (SOURCE, ColumnType::Field),
    ("doc_id", ColumnType::Text),
    ("kind", ColumnType::Uint),
    ("folded", ColumnType::Uint),
    ("path", ColumnType::Text),
    ("title_text", ColumnType::Text),
    ("body_text", ColumnType::Text),
    ("captions_text", ColumnType::Text),
    ("source_slug", ColumnType::Text),
    ("source_name", ColumnType::Text),
    ("source_key", ColumnType::Bigint),
    ("dated", ColumnType::Uint),
    ("day", ColumnType::Bigint),
    ("month", ColumnType::Uint),
    ("title_key", ColumnType::Bigint),
    ("seen_count", ColumnType::Uint),
    ("last_dated", ColumnType::Uint),
    ("last_day", ColumnType::Bigint),
    ("truncated", ColumnType::Uint),
];

/// The full-text fields, as the query syntax names them.
pub const TITLE: &str = "title";
pub const BODY: &str = "body";
pub const CAPTIONS: &str = "captions";
pub const BYLINE: &str = "byline";
/// Source slug and display name, for `source:` in queries.
pub const SOURCE: &str = "source";
/// The fields a word without a field is looked for in (as in a local search).
pub const DEFAULT_FIELDS: [&str; 4] = [TITLE, BODY, CAPTIONS, BYLINE];

/// `kind` of an article and of a teaser.
pub const KIND_ARTICLE_NO: i64 = 0;
pub const KIND_TEASER_NO: i64 = 1;

/// Captions are joined with this in `captions_text` (snippets treat it as a break).
pub const CAPTION_BREAK: &str = "\n";

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Text(String),
    Int(i64),
}

/// A document as a shard row: its Sphinx id and the values of [`COLUMNS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Sphinx document id (positive, below 2^63): a hash of the newsfind id.
    pub id: u64,
    pub values: Vec<SqlValue>,
}

/// The Sphinx id of a newsfind document id: 63 bits of its hash, never 0.
pub fn sphinx_id(doc_id: &str) -> u64 {
    (xxhash_rust::xxh3::xxh3_64(doc_id.as_bytes()) >> 1).max(1)
}

/// The shard a document lives in.
pub fn shard_of(id: u64, shards: usize) -> usize {
    (id % shards.max(1) as u64) as usize
}

/// A source slug as a number, for `IN (…)` filters (Sphinx 2.2 cannot OR string tests).
pub fn source_key(slug: &str) -> i64 {
    (xxhash_rust::xxh3::xxh3_64(slug.as_bytes()) >> 1) as i64
}

/// A title key (u64) as Sphinx's signed bigint.
pub fn title_key_value(key: u64) -> i64 {
    key as i64
}

/// `YYYYMM` of a day, the month facet.
pub fn month_of(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 100 + i64::from(date.month())
}

/// The row of an exported document (see `crate::index::export`). `None` when it has no
/// id or an unknown kind, which the index never holds.
pub fn row(doc: &Map<String, Json>) -> Option<Row> {
    let text = |key: &str| doc.get(key).and_then(Json::as_str).unwrap_or("");
    let doc_id = text("id");
    if doc_id.is_empty() {
        return None;
    }
    let kind = match text("kind") {
        KIND_ARTICLE => KIND_ARTICLE_NO,
        KIND_TEASER => KIND_TEASER_NO,
        _ => return None,
    };
    let date = parse_date(text("date")).and_then(Day::from_date);
    let last = parse_date(text("last_seen")).and_then(Day::from_date);
    let captions: Vec<&str> = doc
        .get("captions")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let captions = captions.join(CAPTION_BREAK);
    let title = text("title");
    let slug = text("source_slug");
    let name = text("source_name");
    let flag = |b: bool| SqlValue::Int(i64::from(b));
    let int = |key: &str| SqlValue::Int(doc.get(key).and_then(Json::as_i64).unwrap_or(0));
    let values = vec![
        SqlValue::Text(title.to_string()),
        SqlValue::Text(text("body").to_string()),
        SqlValue::Text(captions.clone()),
        SqlValue::Text(text("byline").to_string()),
        SqlValue::Text(format!("{slug} {name}")),
        SqlValue::Text(doc_id.to_string()),
        SqlValue::Int(kind),
        flag(doc.get("folded").and_then(Json::as_bool).unwrap_or(false)),
        SqlValue::Text(text("path").to_string()),
        SqlValue::Text(title.to_string()),
        SqlValue::Text(text("body").to_string()),
        SqlValue::Text(captions),
        SqlValue::Text(slug.to_string()),
        SqlValue::Text(name.to_string()),
        SqlValue::Int(source_key(slug)),
        flag(date.is_some()),
        SqlValue::Int(date.map_or(0, Day::number)),
        SqlValue::Int(date.map_or(0, |d| month_of(d.date()))),
        SqlValue::Int(title_key_value(crate::article::title_key(title))),
        int("seen_count"),
        flag(last.is_some()),
        SqlValue::Int(last.map_or(0, Day::number)),
        flag(
            doc.get("truncated")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        ),
    ];
    debug_assert_eq!(values.len(), COLUMNS.len());
    Some(Row {
        id: sphinx_id(doc_id),
        values,
    })
}

/// `YYYY-MM-DD…` as exported.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// A string as a SphinxQL literal. NUL cannot be sent; the control characters snippets
/// use as markers are dropped too, so that a document cannot forge a highlight.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' | '\u{2}' | '\u{3}' | '\u{1f}' => {}
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl SqlValue {
    pub fn sql(&self) -> String {
        match self {
            SqlValue::Text(s) => quote(s),
            SqlValue::Int(n) => n.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("it's a \\ test"), "'it\\'s a \\\\ test'");
        assert_eq!(quote("a\0b\u{2}c"), "'abc'");
    }

    #[test]
    fn rows_from_exported_documents() {
        let doc: Map<String, Json> = serde_json::from_str(
            r#"{"id":"t00000000000000ff","kind":"teaser","path":"/a/b.txt","title":"Big News",
            "body":"summary","captions":[],"credits":[],"source_name":"BBC News",
            "date":"2025-02-06T00:00:00Z","seen_count":3,"last_seen":"2025-03-01T00:00:00Z",
            "truncated":true,"source_slug":"bbc-news","folded":true}"#,
        )
        .unwrap();
        let row = row(&doc).unwrap();
        let value = |name: &str| {
            let i = COLUMNS.iter().position(|(n, _)| *n == name).unwrap();
            row.values[i].clone()
        };
        assert_eq!(value("kind"), SqlValue::Int(KIND_TEASER_NO));
        assert_eq!(value("folded"), SqlValue::Int(1));
        assert_eq!(value("month"), SqlValue::Int(202502));
        assert_eq!(value("seen_count"), SqlValue::Int(3));
        assert_eq!(value("source"), SqlValue::Text("bbc-news BBC News".into()));
        assert_eq!(value("dated"), SqlValue::Int(1));
        assert!(row.id > 0 && row.id < (1 << 63));
        let undated: Map<String, Json> =
            serde_json::from_str(r#"{"id":"a1","kind":"article","title":"x"}"#).unwrap();
        let row = super::row(&undated).unwrap();
        assert_eq!(row.values[15], SqlValue::Int(0));
        assert!(super::row(&Map::new()).is_none());
    }
}
