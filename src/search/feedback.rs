//! Pseudo-relevance feedback for queries in people's own words: RM3 (Lavrenko and
//! Croft's relevance model, interpolated with the query as in Abdul-Jaleel et al.,
//! TREC 2004), the way Anserini runs it over BM25.
//!
//! A question typed in full ("the effects of computer networks on libraries") names a
//! topic in a few of the words its relevant documents use. The best documents of a first
//! pass use the others: their most characteristic words, weighted by how well each
//! document matched, are added to the query, and the query's own words keep half the
//! weight. It is asked for only when the search falls back to most of the words (a
//! keyword search answered by every word is left alone), reranks the first pass's best
//! [`RERANK_DEPTH`] documents and no others (the total stays what the strategy says), and
//! does not change snippets: the words marked are the query's.
//!
//! The parameters are Anserini's defaults (fbDocs 10, fbTerms 10, originalQueryWeight
//! 0.5, feedback terms in at most 10% of the documents), not tuned on our harness.

use std::collections::HashMap;

use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocSet, Score, Searcher, TantivyDocument, Term};

use super::collect::Candidate;
use super::query::{is_stop_word, QueryBuilder};

/// Documents of the first pass the feedback is taken from.
const FEEDBACK_DOCS: usize = 10;
/// Best documents of the first pass reranked with the feedback words. Measured on
/// bench/relevance and at 1M articles (bench/notes.md): the ranking of CISI's
/// first hundred is that of a second retrieval over every match, for a fraction of its
/// cost.
pub const RERANK_DEPTH: usize = 1_000;
/// Words added to the query.
const FEEDBACK_TERMS: usize = 10;
/// Share of the final score that is the query's own.
const QUERY_WEIGHT: Score = 0.5;
/// A word in more than this share of the documents says nothing about a topic.
const MAX_DOC_SHARE: f64 = 0.1;
/// A feedback word is in at least this many of the feedback documents (Terrier's
/// `expansion.mindocuments`): a word of one document is that document's, not the topic's.
const MIN_DOCS: u32 = 2;
/// Bytes of a field read from each feedback document: an article's words are known well
/// before, and a huge file must not make a search slow.
const HEAD_BYTES: usize = 32 * 1024;
/// Indexed terms shorter or longer than this are not feedback words (Anserini's bounds).
const TERM_CHARS: std::ops::RangeInclusive<usize> = 2..=20;

/// What the feedback reads: the fields a document's words come from (stored, and indexed
/// with `prose`; a word's document frequency is its largest over them).
pub struct Feedback<'a> {
    pub searcher: &'a Searcher,
    pub text_fields: [Field; 2],
    pub prose: &'a TextAnalyzer,
    pub queries: &'a QueryBuilder,
}

impl Feedback<'_> {
    /// Reranks `cands` (the first pass's best matches of a query whose free words weigh
    /// `query_len` in all, sorted by score) by the query and the feedback words of the
    /// best of them: each score becomes the query's share of it plus the feedback words'
    /// scores, as a query of both would give. Only these candidates are scored again (RM3
    /// as a reranking, as Anserini's and Terrier's rerankers do): a second retrieval over
    /// every match, with ten more words, cost as much again as the first pass. `false`
    /// when the best documents give no feedback word (the scores are left alone).
    pub fn rerank(&self, cands: &mut [Candidate], query_len: usize) -> tantivy::Result<bool> {
        let model = self.relevance_model(cands)?;
        if model.is_empty() {
            return Ok(false);
        }
        // The query's words weigh QUERY_WEIGHT in all, as in Anserini's interpolation of
        // the (L1-normalised) query vector with the model.
        let own = QUERY_WEIGHT / query_len.max(1) as Score;
        for c in cands.iter_mut() {
            c.score *= own;
        }
        // Each word's scorer goes through the candidates of a segment in index order.
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by_key(|&i| cands[i].addr);
        let scoring = EnableScoring::enabled_from_searcher(self.searcher);
        for (term, weight) in model {
            let boost = (1.0 - QUERY_WEIGHT) * weight as Score;
            let weight = self.queries.term_query(&term).weight(scoring)?;
            let mut segment = None;
            let mut scorer: Option<Box<dyn Scorer>> = None;
            for &i in &order {
                let addr = cands[i].addr;
                if segment != Some(addr.segment_ord) {
                    segment = Some(addr.segment_ord);
                    let reader = self.searcher.segment_reader(addr.segment_ord);
                    scorer = Some(weight.scorer(reader, boost)?);
                }
                let Some(scorer) = scorer.as_mut() else {
                    continue;
                };
                if scorer.doc() < addr.doc_id {
                    scorer.seek(addr.doc_id);
                }
                if scorer.doc() == addr.doc_id {
                    cands[i].score += scorer.score();
                }
            }
        }
        Ok(true)
    }

    /// The [`FEEDBACK_TERMS`] words of the relevance model of the best candidates (the
    /// first [`FEEDBACK_DOCS`] stories), with their weights (summing to 1), heaviest
    /// first: each document's word frequencies (as shares of its words), weighted by its
    /// score; the words of more than [`MAX_DOC_SHARE`] of the documents left out.
    fn relevance_model(&self, cands: &[Candidate]) -> tantivy::Result<Vec<(String, f64)>> {
        // One analyzer for all the documents: its stemmer remembers the words it saw.
        let mut prose = self.prose.clone();
        // Each word's weight, and in how many documents it is.
        let mut model: HashMap<String, (f64, u32)> = HashMap::new();
        let mut stories = Vec::new();
        let mut used = 0;
        for c in cands {
            if used == FEEDBACK_DOCS {
                break;
            }
            // Copies of one story are one feedback document.
            if let Some(story) = c.story {
                if stories.contains(&story) {
                    continue;
                }
                stories.push(story);
            }
            used += 1;
            let (score, doc): (Score, TantivyDocument) = (c.score, self.searcher.doc(c.addr)?);
            // Words, not stop words nor too short or long ones.
            let mut counts: HashMap<String, u32> = HashMap::new();
            let mut words = 0u32;
            for field in self.text_fields {
                for value in doc.get_all(field) {
                    let Some(text) = value.as_str() else { continue };
                    let text = text_head(text);
                    prose.token_stream(text).process(&mut |t| {
                        if TERM_CHARS.contains(&t.text.chars().count()) && !is_stop_word(&t.text) {
                            *counts.entry(t.text.clone()).or_default() += 1;
                            words += 1;
                        }
                    });
                }
            }
            if words == 0 {
                continue;
            }
            for (term, n) in counts {
                let (weight, docs) = model.entry(term).or_default();
                *weight += f64::from(n) / f64::from(words) * f64::from(score);
                *docs += 1;
            }
        }
        let mut model: Vec<(String, f64)> = model
            .into_iter()
            .filter(|(_, (_, docs))| *docs >= MIN_DOCS)
            .map(|(term, (weight, _))| (term, weight))
            .collect();
        model.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        // Words of a topic: the heaviest that are not in more than a tenth of the
        // documents (looked up for as few words as it takes).
        let live = self.searcher.num_docs().max(1) as f64;
        let mut kept = Vec::with_capacity(FEEDBACK_TERMS);
        for (term, weight) in model {
            if kept.len() == FEEDBACK_TERMS {
                break;
            }
            let mut df = 0;
            for field in self.text_fields {
                df = df.max(
                    self.searcher
                        .doc_freq(&Term::from_field_text(field, &term))?,
                );
            }
            if df as f64 / live <= MAX_DOC_SHARE {
                kept.push((term, weight));
            }
        }
        let mut model = kept;
        let sum: f64 = model.iter().map(|(_, w)| w).sum();
        if sum <= 0.0 {
            return Ok(Vec::new());
        }
        for (_, w) in &mut model {
            *w /= sum;
        }
        Ok(model)
    }
}

/// The first [`HEAD_BYTES`] of `text`, cut at a character boundary.
fn text_head(text: &str) -> &str {
    if text.len() <= HEAD_BYTES {
        return text;
    }
    let mut end = HEAD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_read_up_to_its_head_on_a_char_boundary() {
        assert_eq!(text_head("short"), "short");
        let long = "é".repeat(HEAD_BYTES);
        let head = text_head(&long);
        assert!(head.len() <= HEAD_BYTES && head.len() >= HEAD_BYTES - 1);
        assert!(head.chars().all(|c| c == 'é'));
    }
}
