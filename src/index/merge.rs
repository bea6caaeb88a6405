//! A merge policy whose merges stay small at any archive size.
//!
//! tantivy's `LogMergePolicy` bounds the segments it picks, not what it makes of them: at a
//! million articles it merged multi-gigabyte segments, and a merge maps every page of its
//! inputs, so the ingest's resident memory grew with the archive. Here a merge takes
//! small segments only and makes at most `max_docs` documents.

use tantivy::indexer::{MergeCandidate, MergePolicy};
use tantivy::SegmentMeta;

#[derive(Debug, Clone)]
pub struct BoundedMergePolicy {
    /// Documents in the largest segment a merge makes.
    pub max_docs: u32,
    /// Segments a merge takes at least.
    pub min_segments: usize,
}

impl MergePolicy for BoundedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut small: Vec<&SegmentMeta> = segments
            .iter()
            .filter(|s| s.num_docs() < self.max_docs / 2)
            .collect();
        small.sort_by_key(|s| s.num_docs());
        let mut candidates = Vec::new();
        let mut group = Vec::new();
        let mut docs = 0u32;
        for segment in small {
            if docs + segment.num_docs() > self.max_docs && !group.is_empty() {
                // A group that is full is worth merging even when it is only two segments.
                if group.len() >= 2 {
                    candidates.push(MergeCandidate(std::mem::take(&mut group)));
                }
                group.clear();
                docs = 0;
            }
            group.push(segment.id());
            docs += segment.num_docs();
        }
        if group.len() >= self.min_segments {
            candidates.push(MergeCandidate(group));
        }
        candidates
    }
}
