//! Copies of one story: near-duplicate detection over article text. No I/O here.
//!
//! A wire story republished by many outlets keeps most of its sentences, even under a new
//! headline, a rewritten first paragraph or a cut ending. So each paragraph of an
//! article's lead (its first [`sketch::LEAD_WORDS`] words or so) is cut into
//! shingles (runs of [`sketch::SHINGLE_WORDS`] words), and an article's shingles are summed up in a
//! MinHash [`Signature`] (one-permutation hashing with optimal densification: one hash
//! per shingle instead of one per shingle and permutation, which keeps ingest cheap).
//! Signatures are cut into [`BANDS`] bands for locality-sensitive hashing: two articles
//! whose signatures share a band are candidates, and a candidate is a copy when the
//! estimated share of the shorter article found in the longer one is high enough
//! ([`Signature::is_copy`]). A story is a connected group of copies ([`components`]).
//!
//! Paragraphs that one outlet repeats under many of its articles (newsletter pitches,
//! copyright lines) are boilerplate, not a copy: [`Boilerplate`] says which paragraphs of
//! an article to leave out of its signature, given how often its source has printed them.

mod cluster;
mod seen;
mod sketch;

pub use cluster::components;
pub use seen::Seen;
pub use sketch::{
    paragraph_key, sketch_lead, sketch_paragraph, Boilerplate, ParagraphSketch, Signature, BANDS,
};

/// Display form of a story id: `s` and 16 hex digits, like article ids.
pub fn story_name(story: u64) -> String {
    format!("s{story:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_like_ids() {
        assert_eq!(story_name(0x0123_4567_89ab_cdef), "s0123456789abcdef");
        assert_eq!(story_name(1), "s0000000000000001");
    }
}
