//! Every document of the index as a flat JSON object, as stored: what a distributed
//! engine (Quickwit, OpenSearch, the Sphinx sync of `crate::cluster`) ingests when an
//! archive outgrows one machine. Teasers also say whether they are `folded` (an indexed
//! article has their title), which the index keeps as a term, not a stored value.

use std::collections::HashSet;

use anyhow::Context;
use serde_json::{Map, Value as Json};
use tantivy::schema::{IndexRecordOption, OwnedValue, Schema};
use tantivy::{DocId, DocSet, Index, SegmentReader, TantivyDocument, Term, TERMINATED};

use super::schema::{Fields, FOLDED, KIND_TEASER};

/// Fields that can hold several values; they are exported as arrays.
const MULTI_VALUED: [&str; 2] = ["captions", "credits"];

/// Calls `each` with every live document of the index, segment by segment.
pub fn for_each_document(
    index: &Index,
    mut each: impl FnMut(Map<String, Json>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let schema = index.schema();
    let fields = Fields::new(&schema)?;
    let reader = index.reader().context("opening the index")?;
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        let folded = folded_teasers(segment, &fields)?;
        let store = segment.get_store_reader(4)?;
        for doc_id in 0..segment.max_doc() {
            if segment.is_deleted(doc_id) {
                continue;
            }
            let doc: TantivyDocument = store.get(doc_id)?;
            let mut json = to_json(&schema, &doc);
            if json.get("kind").and_then(Json::as_str) == Some(KIND_TEASER) {
                json.insert("folded".to_string(), Json::Bool(folded.contains(&doc_id)));
            }
            each(json)?;
        }
    }
    Ok(())
}

/// The teasers of a segment whose title is the title of an indexed article (`folded`
/// is indexed, not stored; a search of all kinds leaves these teasers out).
fn folded_teasers(segment: &SegmentReader, fields: &Fields) -> anyhow::Result<HashSet<DocId>> {
    let term = Term::from_field_text(fields.folded, FOLDED);
    let mut docs = HashSet::new();
    let inverted = segment.inverted_index(fields.folded)?;
    if let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            docs.insert(doc);
            doc = postings.advance();
        }
    }
    Ok(docs)
}

fn to_json(schema: &Schema, doc: &TantivyDocument) -> Map<String, Json> {
    let mut out = Map::new();
    for name in MULTI_VALUED {
        out.insert(name.to_string(), Json::Array(Vec::new()));
    }
    for (field, value) in doc.field_values() {
        let name = schema.get_field_name(field);
        let value = match OwnedValue::from(value) {
            OwnedValue::Str(s) => Json::String(s),
            OwnedValue::U64(n) => Json::from(n),
            OwnedValue::Bool(b) => Json::Bool(b),
            OwnedValue::Facet(f) => Json::String(f.to_path().join("/")),
            OwnedValue::Date(d) => Json::String(
                chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0)
                    .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default(),
            ),
            other => serde_json::to_value(other).unwrap_or(Json::Null),
        };
        match out.get_mut(name) {
            Some(Json::Array(values)) if MULTI_VALUED.contains(&name) => values.push(value),
            _ => {
                out.insert(name.to_string(), value);
            }
        }
    }
    // The facet is stored as `/slug`; engines want the plain slug.
    if let Some(Json::String(slug)) = out.remove("source_facet") {
        out.insert(
            "source_slug".to_string(),
            Json::String(slug.trim_start_matches('/').to_string()),
        );
    }
    out
}
