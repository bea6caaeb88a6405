//! Copies of one story: near-duplicate detection over article text. No I/O here.
//!
//! A wire story republished by many outlets keeps most of its sentences, even under a new
//! headline, a rewritten first paragraph or a cut ending. So each paragraph is cut into
//! shingles (runs of [`SHINGLE_WORDS`] words), and an article's shingles are summed up in a
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
mod sketch;

pub use cluster::components;
pub use sketch::{
    paragraph_key, sketch_paragraph, Boilerplate, ParagraphSketch, Signature, BANDS, BINS,
    SHINGLE_WORDS,
};

/// Display form of a story id: `s` and 16 hex digits, like article ids.
pub fn story_name(story: u64) -> String {
    format!("s{story:016x}")
}

/// The story id of a story name, if it is one.
pub fn parse_story_name(name: &str) -> Option<u64> {
    let hex = name.strip_prefix('s')?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for id in [0, 1, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(parse_story_name(&story_name(id)), Some(id));
        }
        assert_eq!(parse_story_name("a0123456789abcdef"), None);
        assert_eq!(parse_story_name("s0123"), None);
    }
}
