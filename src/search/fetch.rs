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

/// Hits whose whole documents are read together (more when a group of ties goes on).
pub const DOCS_CHUNK: usize = 256;
/// Hits whose paths are read together: a path is small, and the more hits a chunk has,
/// the more of them share a block of the document store (decompressed once).
pub const PATHS_CHUNK: usize = 16_384;
/// Tied hits ordered by path at most; beyond, index order (reading every path of a huge
/// tie, e.g. `*` over undated documents, would cost more than it is worth).
const MAX_TIE_GROUP: usize = 2_000;

/// Which hits to read, and how to read them.
pub struct Window {
    pub order: SortOrder,
    pub offset: usize,
    pub limit: usize,
    /// Hits read together.
    pub chunk: usize,
}

/// Hands `on_doc` what `read` makes of the stored documents of the hits from `offset`
/// on, at most `limit`, in order. `cands` come sorted; those the sort cannot tell apart
/// are ordered here by path (`path_of` finds it in what `read` made). Each document is
/// read once, a chunk at a time, in index order within the chunk.
pub fn in_order<D>(
    cands: &[Candidate],
    window: &Window,
    mut read: impl FnMut(DocAddress) -> tantivy::Result<D>,
    path_of: impl Fn(&D) -> &str,
    mut on_doc: impl FnMut(&Candidate, D) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let order = window.order;
    let end = window.offset.saturating_add(window.limit).min(cands.len());
    if window.offset >= end {
        return Ok(());
    }
    let tied = |a: usize, b: usize| compare(order, &cands[a], &cands[b]) == Ordering::Equal;
    // The first chunk starts with the group of ties the first hit belongs to, unless
    // that group is too large to order.
    let mut pos = window.offset;
    while pos > 0 && tied(pos - 1, window.offset) && window.offset - pos <= MAX_TIE_GROUP {
        pos -= 1;
    }
    if window.offset - pos > MAX_TIE_GROUP {
        pos = window.offset;
    }
    while pos < end {
        let mut chunk_end = (pos + window.chunk.max(1)).min(end);
        // A group of ties is ordered as a whole: take the rest of it along.
        let mut group_end = chunk_end;
        while group_end < cands.len() && tied(chunk_end - 1, group_end) {
            group_end += 1;
            if group_end - chunk_end > MAX_TIE_GROUP {
                break;
            }
        }
        if group_end - chunk_end <= MAX_TIE_GROUP {
            chunk_end = group_end;
        }
        let chunk = &cands[pos..chunk_end];
        let mut by_addr: Vec<usize> = (0..chunk.len()).collect();
        by_addr.sort_by_key(|&i| chunk[i].addr);
        let mut docs: Vec<Option<D>> = (0..chunk.len()).map(|_| None).collect();
        for i in by_addr {
            docs[i] = Some(read(chunk[i].addr)?);
        }
        let mut hits: Vec<(Candidate, D)> = chunk
            .iter()
            .zip(docs)
            .filter_map(|(c, d)| d.map(|d| (*c, d)))
            .collect();
        let mut i = 0;
        while i < hits.len() {
            let mut j = i + 1;
            while j < hits.len() && compare(order, &hits[i].0, &hits[j].0) == Ordering::Equal {
                j += 1;
            }
            // A piece of a group too large to order goes on past the chunk's ends.
            let goes_on = (i == 0 && pos > 0 && tied(pos - 1, pos))
                || (pos + j == chunk_end
                    && chunk_end < cands.len()
                    && tied(chunk_end - 1, chunk_end));
            if j - i > 1 && j - i <= MAX_TIE_GROUP && !goes_on {
                hits[i..j].sort_by(|a, b| {
                    path_of(&a.1)
                        .cmp(path_of(&b.1))
                        .then_with(|| a.0.addr.cmp(&b.0.addr))
                });
            }
            i = j;
        }
        for (k, (c, doc)) in hits.into_iter().enumerate() {
            let at = pos + k;
            if at >= window.offset && at < end {
                on_doc(&c, doc)?;
            }
        }
        pos = chunk_end;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The order the old whole-window code gave: each group of ties of at most
    /// [`MAX_TIE_GROUP`] sorted by path, then the window cut out.
    fn reference(cands: &[Candidate], path: &dyn Fn(u32) -> String, w: &Window) -> Vec<u32> {
        let mut all: Vec<Candidate> = cands.to_vec();
        let mut i = 0;
        while i < all.len() {
            let mut j = i + 1;
            while j < all.len() && compare(w.order, &all[i], &all[j]) == Ordering::Equal {
                j += 1;
            }
            if j - i <= MAX_TIE_GROUP {
                all[i..j].sort_by(|a, b| {
                    path(a.addr.doc_id)
                        .cmp(&path(b.addr.doc_id))
                        .then_with(|| a.addr.cmp(&b.addr))
                });
            }
            i = j;
        }
        let end = w.offset.saturating_add(w.limit).min(all.len());
        all.get(w.offset..end)
            .unwrap_or(&[])
            .iter()
            .map(|c| c.addr.doc_id)
            .collect()
    }

    #[test]
    fn same_order_as_ordering_the_whole_list() {
        // Groups of ties of many sizes, one larger than MAX_TIE_GROUP; paths that run
        // against the index order.
        let mut cands = Vec::new();
        let mut doc = 0u32;
        for (score, size) in [
            (9.0, 1),
            (8.0, 3),
            (7.0, 300),
            (6.0, 2),
            (5.0, 2_500),
            (4.0, 700),
            (3.0, 1),
        ] {
            for _ in 0..size {
                cands.push(Candidate {
                    score,
                    date: None,
                    addr: DocAddress::new(0, doc),
                });
                doc += 1;
            }
        }
        let path = |d: u32| format!("p{:05}", (d * 7919) % 10_007);
        for (offset, limit) in [
            (0, 10),
            (0, usize::MAX),
            (2, 300),
            (5, 1),
            (600, 2_000),
            (3_000, 600),
            (3_500, 10),
            (9_999, 5),
        ] {
            let w = Window {
                order: SortOrder::Relevance,
                offset,
                limit,
                chunk: 300,
            };
            let mut got = Vec::new();
            in_order(
                &cands,
                &w,
                |addr| Ok(path(addr.doc_id)),
                String::as_str,
                |c, _| {
                    got.push(c.addr.doc_id);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(
                got,
                reference(&cands, &path, &w),
                "offset {offset}, limit {limit}"
            );
        }
    }
}
