//! The index's own vocabulary, near a word: the terms within a few edits of it (for
//! `word~N`), and "did you mean" corrections of query words that are rare or absent.
//!
//! Both walk each segment's term dictionary (an FST) with a Levenshtein automaton, so the
//! cost grows with the automaton's reach, not with the vocabulary: a few milliseconds at a
//! million articles. The index holds stems (`president` is `presid`) while people type
//! words, so a correction is checked against a word as printed in a document holding the
//! candidate stem.

use std::collections::HashMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{DocSet, Searcher, TantivyDocument, Term, TERMINATED};

use super::query::tokens;

/// A word is worth correcting when at most this many documents hold it.
const RARE: u64 = 3;
/// A correction must be held by this many times more documents than the word typed (when
/// some hold it).
const MORE_COMMON: u64 = 20;
/// Candidate stems checked against a document's words, the most frequent first.
const CHECKED: usize = 4;
/// Documents a candidate stem is looked up in for the word as printed.
const SURFACE_DOCS: usize = 3;
/// Shortest word corrected: short words are too near too many others.
const MIN_LEN: usize = 4;
/// Leading letters a correction keeps from the word typed: people rarely mistype the
/// first letter, and without it a word is near too many others (`online` is two edits
/// from `line`). Lucene's DirectSpellChecker (`minPrefix`) and Elasticsearch's term
/// suggester (`prefix_length`) keep one by default.
const KEPT_PREFIX: usize = 1;

/// The indexed terms of `field` within `distance` edits of any of `forms` (a swap of two
/// neighbouring letters counts one), with the number of documents holding each.
pub fn within_distance(
    searcher: &Searcher,
    field: Field,
    forms: &[String],
    distance: u32,
) -> tantivy::Result<Vec<(String, u64)>> {
    let mut found: HashMap<String, u64> = HashMap::new();
    for form in forms {
        // tantivy's Levenshtein automata go up to distance 2.
        let query = FuzzyTermQuery::new(
            Term::from_field_text(field, form),
            distance.min(2) as u8,
            true,
        );
        let automaton = query.automaton()?;
        let mut seen: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index.terms().search(&automaton).into_stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                *seen.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
        for (term, count) in seen {
            found.entry(term).or_insert(count);
        }
    }
    Ok(found.into_iter().collect())
}

/// Finds corrections of words in one field's vocabulary.
pub struct Corrector<'a> {
    pub searcher: &'a Searcher,
    /// The field whose vocabulary is used (the body: most words, least noise).
    pub field: Field,
    /// The stored fields whose words a candidate is checked against.
    pub text_fields: [Field; 2],
    /// The field's analyzer (lower case, folded, stemmed).
    pub prose: &'a TextAnalyzer,
    /// Lower case and folded, not stemmed.
    pub plain: &'a TextAnalyzer,
}

/// A correction of one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The word as it should be typed (as printed in the archive, lower case).
    pub word: String,
    /// Documents holding its stem.
    pub doc_freq: u64,
}

impl Corrector<'_> {
    /// Documents whose `field` holds `stem`.
    fn doc_freq(&self, stem: &str) -> tantivy::Result<u64> {
        self.searcher
            .doc_freq(&Term::from_field_text(self.field, stem))
    }

    /// A correction of `word` when it is rare or absent and a much more common word lies
    /// within an edit or two (two for words of six letters or more).
    pub fn correct(&self, word: &str) -> tantivy::Result<Option<Correction>> {
        let plain = tokens(self.plain, word);
        let [plain] = plain.as_slice() else {
            return Ok(None);
        };
        let len = plain.chars().count();
        if len < MIN_LEN || !plain.chars().all(char::is_alphabetic) {
            return Ok(None);
        }
        let stems = tokens(self.prose, word);
        let [stem] = stems.as_slice() else {
            return Ok(None);
        };
        let typed_freq = self.doc_freq(stem)?;
        if typed_freq > RARE {
            return Ok(None);
        }
        // Most misspellings are one edit; a word the archive holds (`contextual`) is
        // taken for one only that near a common word, not two edits off (`conceptual`).
        let distance = if len >= 6 && typed_freq == 0 { 2 } else { 1 };
        // The word and its stem within `distance`; the word cut short within one edit: a
        // misspelt word escapes the stemmer (`presdient` stays whole while `president` is
        // `presid`, one swap from `presdi`).
        let mut whole = vec![plain.clone(), stem.clone()];
        whole.dedup();
        let chars: Vec<char> = plain.chars().collect();
        let cut: Vec<String> = (1..=3)
            .filter(|cut| len - cut > MIN_LEN)
            .map(|cut| chars[..len - cut].iter().collect())
            .collect();
        // An absent word: any word of two documents or more beats it.
        let floor = if typed_freq == 0 {
            2
        } else {
            typed_freq * MORE_COMMON
        };
        // The nearest correction, the most common of equals, over both kinds of forms
        // (`presdient` is one edit from `prescient` and from `president`).
        let mut best: Option<(usize, Correction)> = None;
        // Edits allowed between what was typed and the word as printed.
        let allowed = distance as usize;
        for (forms, distance) in [(whole, distance), (cut, 1)] {
            if let Some(found) = self.best_of(&forms, distance, floor, plain, stem, allowed)? {
                let edits = strsim::damerau_levenshtein(plain, &found.word);
                if best
                    .as_ref()
                    .is_none_or(|(e, c)| edits < *e || (edits == *e && found.doc_freq > c.doc_freq))
                {
                    best = Some((edits, found));
                }
            }
        }
        Ok(best.map(|(_, c)| c))
    }

    /// The best correction among the terms within `distance` of `forms`, held by at least
    /// `floor` documents, checked against words as printed.
    fn best_of(
        &self,
        forms: &[String],
        distance: u32,
        floor: u64,
        plain: &str,
        stem: &str,
        allowed: usize,
    ) -> tantivy::Result<Option<Correction>> {
        let prefix: String = plain.chars().take(KEPT_PREFIX).collect();
        let mut candidates: Vec<(String, u64)> = Vec::new();
        for form in forms {
            for (term, freq) in within_distance(
                self.searcher,
                self.field,
                std::slice::from_ref(form),
                distance,
            )? {
                if freq >= floor
                    && term != stem
                    && term.starts_with(&prefix)
                    && !candidates.iter().any(|(t, _)| *t == term)
                {
                    candidates.push((term, freq));
                }
            }
        }
        // Nearest to what was typed (or its stem) first, then the most common.
        let near = |term: &str| {
            strsim::damerau_levenshtein(plain, term).min(strsim::damerau_levenshtein(stem, term))
        };
        candidates.sort_by_cached_key(|(term, freq)| {
            (near(term), std::cmp::Reverse(*freq), term.clone())
        });
        candidates.truncate(CHECKED);
        let mut best: Option<(usize, Correction)> = None;
        for (candidate, freq) in candidates {
            let Some(surface) = self.surface(&candidate, plain)? else {
                continue;
            };
            let edits = strsim::damerau_levenshtein(plain, &surface);
            if edits == 0 || edits > allowed {
                continue;
            }
            let better = best
                .as_ref()
                .is_none_or(|(e, c)| edits < *e || (edits == *e && freq > c.doc_freq));
            if better {
                best = Some((
                    edits,
                    Correction {
                        word: surface,
                        doc_freq: freq,
                    },
                ));
            }
            // One edit is as near as a correction gets; the rest are rarer.
            if edits == 1 {
                break;
            }
        }
        Ok(best.map(|(_, c)| c))
    }

    /// The word nearest `typed` whose stem is `stem`, as printed in the first live
    /// document holding it (lower case).
    fn surface(&self, stem: &str, typed: &str) -> tantivy::Result<Option<String>> {
        let term = Term::from_field_text(self.field, stem);
        let first = stem.chars().next();
        let mut prose = self.prose.clone();
        let mut best: Option<(usize, String)> = None;
        let mut read = 0;
        'segments: for segment in self.searcher.segment_readers() {
            let index = segment.inverted_index(self.field)?;
            let Some(mut postings) =
                index.read_postings(&term, tantivy::schema::IndexRecordOption::Basic)?
            else {
                continue;
            };
            let store = segment.get_store_reader(1)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if segment.is_deleted(doc) {
                    doc = postings.advance();
                    continue;
                }
                let stored: TantivyDocument = store.get(doc)?;
                for field in self.text_fields {
                    for value in stored.get_all(field) {
                        let Some(text) = value.as_str() else { continue };
                        let mut words = SimpleTokenizer::default();
                        let mut stream = words.token_stream(text);
                        while stream.advance() {
                            let word = stream.token().text.to_lowercase();
                            // Stemming keeps the first letter: skip the others unstemmed.
                            if word.chars().next() != first && word.is_ascii() {
                                continue;
                            }
                            // The cheap test first: nearer than the best so far.
                            let edits = strsim::damerau_levenshtein(typed, &word);
                            if best.as_ref().is_some_and(|(e, _)| edits >= *e) {
                                continue;
                            }
                            let mut same = false;
                            prose
                                .token_stream(&word)
                                .process(&mut |t| same = same || t.text == stem);
                            if same {
                                best = Some((edits, word));
                            }
                        }
                    }
                }
                read += 1;
                // One edit is as near as it gets; else a few documents, for the form
                // nearest what was typed (`immigration`, not `immigrants`).
                if read >= SURFACE_DOCS || best.as_ref().is_some_and(|(e, _)| *e <= 1) {
                    break 'segments;
                }
                doc = postings.advance();
            }
        }
        Ok(best.map(|(_, w)| w))
    }
}
