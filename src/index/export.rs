//! Every document of the index as a flat JSON object, as stored: what a distributed
//! engine (Quickwit, OpenSearch) ingests when an archive outgrows one machine. Documents
//! are read through the codec ([`super::codec`]), so export shows what search shows.

use anyhow::Context;
use serde_json::{json, Map, Value as Json};
use tantivy::{Index, TantivyDocument};

use super::codec::StoredDoc;
use super::day::Day;
use super::schema::{Fields, KIND_ARTICLE, KIND_TEASER};

/// Calls `each` with every live document of the index, segment by segment.
pub fn for_each_document(
    index: &Index,
    mut each: impl FnMut(Map<String, Json>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let fields = Fields::new(&index.schema())?;
    let reader = index.reader().context("opening the index")?;
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(4)?;
        for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
            each(to_json(&StoredDoc::from_tantivy(&fields, &doc?)?))?;
        }
    }
    Ok(())
}

/// RFC 3339 at midnight UTC, as engines take dates.
fn day(d: Option<Day>) -> Option<Json> {
    d.map(|d| Json::String(format!("{d}T00:00:00Z")))
}

fn to_json(doc: &StoredDoc) -> Map<String, Json> {
    let mut out = Map::new();
    let mut put = |name: &str, value: Option<Json>| {
        if let Some(value) = value {
            out.insert(name.to_string(), value);
        }
    };
    match doc {
        StoredDoc::Article(a) => {
            put(
                "captions",
                Some(json!(a.captions.iter().map(|c| &c.0).collect::<Vec<_>>())),
            );
            put(
                "credits",
                Some(json!(a
                    .captions
                    .iter()
                    .map(|c| c.1.as_deref().unwrap_or(""))
                    .collect::<Vec<_>>())),
            );
            put("id", Some(json!(a.id)));
            put("kind", Some(json!(KIND_ARTICLE)));
            put("path", Some(json!(a.path)));
            put("title", Some(json!(a.title)));
            put("body", Some(json!(a.body)));
            put("byline", a.byline.as_ref().map(|b| json!(b)));
            put("source_name", Some(json!(a.source.name)));
            put("date", day(a.day));
            put("read_minutes", a.read_minutes.map(|m| json!(m)));
            put("source_slug", Some(json!(a.source.slug)));
        }
        StoredDoc::Teaser(t) => {
            put("captions", Some(json!([])));
            put("credits", Some(json!([])));
            put("id", Some(json!(doc.id())));
            put("kind", Some(json!(KIND_TEASER)));
            put("path", Some(json!(t.first_path)));
            put("title", Some(json!(t.text.title)));
            put("body", Some(json!(t.text.summary)));
            put("source_name", Some(json!(t.first_source.name)));
            put("date", day(t.first_day));
            put("seen_count", Some(json!(t.seen_count)));
            put("last_seen", day(t.last_day));
            put("truncated", Some(json!(t.text.truncated)));
            put("folded", Some(json!(t.folded)));
            put("source_slug", Some(json!(t.first_source.slug)));
        }
    }
    out
}
