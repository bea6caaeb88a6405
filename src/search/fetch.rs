//! Reading the stored documents of the hits, in their order, a chunk at a time: memory
//! stays flat however many documents match, and each chunk is read in index order, so
//! that neighbours share the document store's decompressed blocks.

use std::cell::Cell;
use std::cmp::Ordering;

use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer, ValueVisitor,
};
use tantivy::schema::{Facet, Field};
use tantivy::{DateTime, DocAddress, Searcher};

use super::collect::{compare, Candidate, SortOrder};

/// Hits whose documents are read together.
const CHUNK: usize = 1024;
/// Tied hits ordered by path at most; beyond, index order (reading every path of a huge
/// tie, e.g. `*` over undated documents, would cost more than it is worth).
const MAX_TIE_GROUP: usize = 2_000;

/// Hands `on_doc` what `read` makes of each candidate's stored document, in the
/// candidates' order.
pub fn in_order<D>(
    cands: &[Candidate],
    mut read: impl FnMut(DocAddress) -> tantivy::Result<D>,
    mut on_doc: impl FnMut(&Candidate, D) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for chunk in cands.chunks(CHUNK) {
        let mut by_addr: Vec<usize> = (0..chunk.len()).collect();
        by_addr.sort_by_key(|&i| chunk[i].addr);
        let mut docs: Vec<Option<D>> = (0..chunk.len()).map(|_| None).collect();
        for i in by_addr {
            docs[i] = Some(read(chunk[i].addr)?);
        }
        for (c, doc) in chunk.iter().zip(docs) {
            if let Some(doc) = doc {
                on_doc(c, doc)?;
            }
        }
    }
    Ok(())
}

/// The hits from `offset` on, at most `limit`, in their final order: candidates come
/// sorted, and those the sort cannot tell apart are ordered here by path.
pub fn window(
    searcher: &Searcher,
    path_field: Field,
    order: SortOrder,
    mut cands: Vec<Candidate>,
    offset: usize,
    limit: usize,
) -> anyhow::Result<Vec<Candidate>> {
    let end = offset.saturating_add(limit).min(cands.len());
    if offset >= end {
        return Ok(Vec::new());
    }
    let mut i = 0;
    while i < end {
        let mut j = i + 1;
        while j < cands.len() && compare(order, &cands[i], &cands[j]) == Ordering::Equal {
            j += 1;
        }
        if j - i > 1 && j > offset && j - i <= MAX_TIE_GROUP {
            let mut keyed: Vec<(String, Candidate)> = Vec::with_capacity(j - i);
            let mut group: Vec<Candidate> = cands[i..j].to_vec();
            group.sort_by_key(|c| c.addr);
            for c in group {
                keyed.push((read_text(searcher, path_field, c.addr)?, c));
            }
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.addr.cmp(&b.1.addr)));
            for (slot, (_, c)) in cands[i..j].iter_mut().zip(keyed) {
                *slot = c;
            }
        }
        i = j;
    }
    cands.truncate(end);
    cands.drain(..offset);
    Ok(cands)
}

/// One stored text field of a document, read without the rest of it: reading stops at
/// that field, so a hit printed as a path costs no body text.
struct StoredText(Option<String>);

thread_local! {
    /// The field [`StoredText`] reads: tantivy's deserializer trait has no room for an
    /// argument, so [`read_text`] sets it around the read.
    static WANTED: Cell<Option<Field>> = const { Cell::new(None) };
}

/// The first value of the text `field` stored in the document at `addr` (empty if none).
pub fn read_text(searcher: &Searcher, field: Field, addr: DocAddress) -> tantivy::Result<String> {
    let before = WANTED.with(|f| f.replace(Some(field)));
    let read = searcher.doc::<StoredText>(addr);
    WANTED.with(|f| f.set(before));
    Ok(read?.0.unwrap_or_default())
}

impl DocumentDeserialize for StoredText {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut d: D) -> Result<Self, DeserializeError> {
        let Some(wanted) = WANTED.with(Cell::get) else {
            return Ok(StoredText(None));
        };
        while let Some((field, Text(value))) = d.next_field::<Text>()? {
            if field == wanted && value.is_some() {
                return Ok(StoredText(value));
            }
        }
        Ok(StoredText(None))
    }
}

/// A stored value, kept when it is text; other values are read past.
struct Text(Option<String>);

impl ValueDeserialize for Text {
    fn deserialize<'de, D: ValueDeserializer<'de>>(d: D) -> Result<Self, DeserializeError> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl ValueVisitor for TextVisitor {
    type Value = Option<String>;
    fn visit_null(&self) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_string(&self, val: String) -> Result<Self::Value, DeserializeError> {
        Ok(Some(val))
    }
    fn visit_u64(&self, _: u64) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_i64(&self, _: i64) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_f64(&self, _: f64) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_bool(&self, _: bool) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_datetime(&self, _: DateTime) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_facet(&self, _: Facet) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
    fn visit_bytes(&self, _: Vec<u8>) -> Result<Self::Value, DeserializeError> {
        Ok(None)
    }
}
