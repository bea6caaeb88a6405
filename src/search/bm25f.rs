//! BM25F (Robertson, Zaragoza and Taylor, 2004) for one word over several fields: the
//! word's frequencies in the fields, each times the field's weight, are added up *before*
//! BM25 saturates them, and so are the fields' lengths. The same as Lucene's
//! `BM25FQuery` / `CombinedFieldQuery` and Elasticsearch's `combined_fields`.
//!
//! Summing one BM25 per field (what a multi-field query does) counts a word found in the
//! title and again in the body twice over, each saturated on its own: a document whose
//! title happens to hold one query word outranks one whose text is about all of them.
//! Here a word in the title counts as `weight` occurrences in one text.
//!
//! Statistics as Lucene's: the word's document frequency is its largest over the fields,
//! the average length the weighted sum of the fields' averages; k1 = 1.2, b = 0.75 as
//! tantivy's and Lucene's BM25.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

const K1: Score = 1.2;
const B: Score = 0.75;

/// One word (an indexed term) over several text fields, each with a weight.
#[derive(Clone, Debug)]
pub struct CombinedTermQuery {
    /// The term in each field, with the field's weight.
    terms: Vec<(Term, Score)>,
}

impl CombinedTermQuery {
    pub fn new(terms: Vec<(Term, Score)>) -> CombinedTermQuery {
        CombinedTermQuery { terms }
    }

    /// idf × (k1 + 1) and the weighted average length, from the searcher's statistics.
    fn statistics(&self, searcher: &Searcher) -> tantivy::Result<(Score, Score)> {
        let docs: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.num_docs()))
            .sum();
        let docs = docs.max(1) as Score;
        let mut doc_freq = 0u64;
        let mut average = 0.0;
        for (term, weight) in &self.terms {
            doc_freq = doc_freq.max(searcher.doc_freq(term)?);
            let mut tokens = 0u64;
            for segment in searcher.segment_readers() {
                tokens += segment.inverted_index(term.field())?.total_num_tokens();
            }
            average += weight * tokens as Score / docs;
        }
        let doc_freq = (doc_freq as Score).min(docs);
        let idf = (1.0 + (docs - doc_freq + 0.5) / (doc_freq + 0.5)).ln();
        Ok((idf * (1.0 + K1), average.max(f32::MIN_POSITIVE)))
    }
}

impl Query for CombinedTermQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let (weight, average) = match enable_scoring.searcher() {
            Some(searcher) if enable_scoring.is_scoring_enabled() => self.statistics(searcher)?,
            _ => (1.0, 1.0),
        };
        Ok(Box::new(CombinedTermWeight {
            terms: self.terms.clone(),
            weight,
            average,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
    }
}

struct CombinedTermWeight {
    terms: Vec<(Term, Score)>,
    /// idf × (k1 + 1).
    weight: Score,
    /// Weighted average length of the fields.
    average: Score,
}

impl Weight for CombinedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut fields = Vec::with_capacity(self.terms.len());
        for (term, weight) in &self.terms {
            let postings = reader
                .inverted_index(term.field())?
                .read_postings(term, IndexRecordOption::WithFreqs)?;
            fields.push(FieldPart {
                postings,
                norms: reader.get_fieldnorms_reader(term.field())?,
                weight: *weight,
            });
        }
        if fields.iter().all(|f| f.postings.is_none()) {
            return Ok(Box::new(EmptyScorer));
        }
        let mut scorer = CombinedTermScorer {
            fields,
            doc: 0,
            weight: self.weight * boost,
            average: self.average,
        };
        scorer.doc = scorer.first();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("BM25F", scorer.score()))
    }
}

/// One field of the word in one segment.
struct FieldPart {
    /// `None`: the segment's field does not hold the word.
    postings: Option<SegmentPostings>,
    norms: FieldNormReader,
    weight: Score,
}

impl FieldPart {
    fn doc(&self) -> DocId {
        self.postings.as_ref().map_or(TERMINATED, |p| p.doc())
    }
}

struct CombinedTermScorer {
    fields: Vec<FieldPart>,
    doc: DocId,
    weight: Score,
    average: Score,
}

impl CombinedTermScorer {
    /// The first document of any field at or after where each stands.
    fn first(&self) -> DocId {
        self.fields
            .iter()
            .map(FieldPart::doc)
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for CombinedTermScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for field in &mut self.fields {
            if let Some(postings) = field.postings.as_mut().filter(|p| p.doc() == doc) {
                postings.advance();
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for field in &mut self.fields {
            if let Some(postings) = field.postings.as_mut().filter(|p| p.doc() < target) {
                postings.seek(target);
            }
        }
        self.doc = self.first();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.fields
            .iter()
            .filter_map(|f| f.postings.as_ref().map(|p| p.size_hint()))
            .sum()
    }
}

impl Scorer for CombinedTermScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let (mut freq, mut length) = (0.0, 0.0);
        for field in &self.fields {
            length += field.weight * field.norms.fieldnorm(doc) as Score;
            if let Some(postings) = field.postings.as_ref().filter(|p| p.doc() == doc) {
                freq += field.weight * postings.term_freq() as Score;
            }
        }
        let norm = K1 * (1.0 - B + B * length / self.average);
        self.weight * freq / (freq + norm)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;

    use super::*;
    use crate::search::testing::{test_index, TestDoc};

    #[test]
    fn scores_are_bm25_over_the_weighted_fields_as_one_text() {
        let (index, fields) = test_index(&[
            TestDoc {
                path: "/a/0.txt",
                title: "alpha",
                body: "beta gamma",
                ..Default::default()
            },
            TestDoc {
                path: "/a/1.txt",
                title: "beta",
                body: "alpha alpha beta",
                ..Default::default()
            },
            TestDoc {
                path: "/a/2.txt",
                title: "gamma",
                body: "delta",
                ..Default::default()
            },
        ]);
        let searcher = index.reader().unwrap().searcher();
        let query = CombinedTermQuery::new(vec![
            (Term::from_field_text(fields.title, "alpha"), 2.0),
            (Term::from_field_text(fields.body, "alpha"), 1.0),
        ]);
        let top = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        let mut scores: Vec<(u32, Score)> = top.iter().map(|(s, a)| (a.doc_id, *s)).collect();
        scores.sort_by_key(|(doc, _)| *doc);
        // 3 documents, `alpha` in one title and one body: df 1. Lengths: titles 1 word
        // each (average 1), bodies 2, 3, 1 (average 2): weighted average 2×1 + 2 = 4.
        let idf = (1.0 + (3.0 - 1.0 + 0.5) / (1.0 + 0.5) as Score).ln();
        let bm25 = |freq: Score, length: Score| {
            idf * (1.0 + K1) * freq / (freq + K1 * (1.0 - B + B * length / 4.0))
        };
        // Doc 0: in the title once (weight 2), length 2×1 + 2. Doc 1: twice in the
        // body, length 2×1 + 3. Doc 2 does not hold it.
        let want = [(0, bm25(2.0, 4.0)), (1, bm25(2.0, 5.0))];
        assert_eq!(scores.len(), 2, "{scores:?}");
        for ((doc, got), (want_doc, want)) in scores.iter().zip(want) {
            assert_eq!(*doc, want_doc);
            assert!((got - want).abs() < 1e-4, "doc {doc}: {got} against {want}");
        }
        assert_eq!(
            query
                .weight(EnableScoring::disabled_from_searcher(&searcher))
                .unwrap()
                .count(searcher.segment_reader(0))
                .unwrap(),
            2
        );
    }
}
