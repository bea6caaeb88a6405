//! Snippets: the best passage of a hit with the matched words marked, from the body, else
//! the captions; else the start of the body (a match in the title, byline or source only;
//! the title's matches are marked in the title itself). Paragraphs the ingest counted as
//! their source's boilerplate (newsletter pitches, "this article appears in…": see
//! `crate::story::Boilerplate`) are left out of the body a snippet is taken from.
//!
//! Not tantivy's `SnippetGenerator`: it stems every word of every hit's body, which took
//! most of a search's time. Here a word goes through the field's analyzer only when its
//! first letter is the first letter of a query term (English stemming keeps the first
//! letter), and each distinct word once per search.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::query::Query;
use tantivy::schema::{Facet, Field, Value};
use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{Score, Searcher, TantivyDocument, Term};

use crate::index::schema::Fields;
use crate::index::stories::{live_count, Gone};
use crate::story::{paragraph_key, sketch_paragraph, Boilerplate};

/// Longest passage, in bytes.
pub const SNIPPET_BYTES: usize = 220;
/// Most indexed terms a `word*` prefix is looked up with, to weigh it.
const PREFIX_EXPANSIONS: usize = 200;
/// A repeated term adds this share of its weight to a passage.
const REPEAT_WEIGHT: Score = 0.1;

/// Where a snippet was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetSource {
    Body,
    Captions,
    Title,
    /// Nothing matched in the text: the start of the body (or summary).
    Lead,
}

impl SnippetSource {
    pub fn name(self) -> &'static str {
        match self {
            SnippetSource::Body => "body",
            SnippetSource::Captions => "captions",
            SnippetSource::Title => "title",
            SnippetSource::Lead => "lead",
        }
    }
}

/// A passage of a document on one line, with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges into `text`: sorted, not overlapping, on char boundaries.
    pub highlights: Vec<(usize, usize)>,
    pub source: SnippetSource,
    /// The passage starts after the start of its text.
    pub cut_before: bool,
    /// The passage ends before the end of its text.
    pub cut_after: bool,
}

/// Makes the snippets of one query's hits.
pub struct SnippetMaker {
    body: Highlighter,
    captions: Highlighter,
    title: Highlighter,
    fields: Fields,
    /// For the boilerplate counts.
    searcher: Searcher,
}

impl SnippetMaker {
    /// `prefixes` are the query's `word*` prefixes and `expansions` the terms its `word~N`
    /// stand for (tantivy does not see either as query terms).
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        prefixes: &[(Field, String)],
        expansions: &[(Field, String)],
        fields: &Fields,
    ) -> tantivy::Result<SnippetMaker> {
        let make = |field| Highlighter::new(searcher, query, prefixes, expansions, field);
        Ok(SnippetMaker {
            body: make(fields.body)?,
            captions: make(fields.captions)?,
            title: make(fields.title)?,
            fields: *fields,
            searcher: searcher.clone(),
        })
    }

    /// The body without the paragraphs its source prints under many articles, as the
    /// ingest counted them (its `story_para` terms: short paragraphs of the articles'
    /// leads), unless that leaves nothing.
    fn without_boilerplate(&self, doc: &TantivyDocument, body: String) -> String {
        let Some(slug) = doc
            .get_first(self.fields.source_facet)
            .and_then(|v| v.as_facet())
            .and_then(|f| Facet::from_encoded(f.as_bytes().to_vec()).ok())
            .and_then(|f| f.to_path().first().map(|s| s.to_string()))
        else {
            return body;
        };
        let rule = Boilerplate::default();
        let is_boilerplate = |paragraph: &str| {
            sketch_paragraph(paragraph).is_some_and(|sketch| {
                if !rule.could_be(&sketch) {
                    return false;
                }
                let term =
                    Term::from_field_u64(self.fields.story_para, paragraph_key(&slug, sketch.key));
                // Live documents only, as the ingest counts them.
                let articles =
                    live_count(&self.searcher, &term, rule.min_articles, &Gone::default())
                        .unwrap_or(0);
                rule.is(&sketch, articles)
            })
        };
        let mut kept = String::with_capacity(body.len());
        let mut dropped = false;
        for paragraph in body.split("\n\n") {
            if is_boilerplate(paragraph) {
                dropped = true;
                continue;
            }
            if !kept.is_empty() {
                kept.push_str("\n\n");
            }
            kept.push_str(paragraph);
        }
        if !dropped || kept.trim().is_empty() {
            return body;
        }
        kept
    }

    /// The matched words of a title, as byte ranges into it.
    pub fn title_highlights(&self, title: &str) -> Vec<(usize, usize)> {
        self.title
            .matches(title)
            .iter()
            .map(|m| (m.start, m.end))
            .collect()
    }

    /// The matched words of a whole body, as byte ranges into it (an article view).
    pub fn body_highlights(&self, body: &str) -> Vec<(usize, usize)> {
        self.body
            .matches(body)
            .iter()
            .map(|m| (m.start, m.end))
            .collect()
    }

    /// The matched words of one caption, as byte ranges into it.
    pub fn caption_highlights(&self, caption: &str) -> Vec<(usize, usize)> {
        self.captions
            .matches(caption)
            .iter()
            .map(|m| (m.start, m.end))
            .collect()
    }

    /// The best passage of the body, else of the captions, else the start of the body;
    /// the title only when the body is empty (its matches are in the hit's title
    /// highlights anyway, and printing it twice says nothing).
    pub fn snippet(&self, doc: &TantivyDocument) -> Snippet {
        let body = self.without_boilerplate(doc, joined(doc, self.fields.body));
        let found = |highlighter: &Highlighter, text: &str, source| {
            let matches = highlighter.matches(text);
            (!matches.is_empty()).then(|| passage(text, &matches, SNIPPET_BYTES, source))
        };
        if let Some(s) = found(&self.body, &body, SnippetSource::Body) {
            return s;
        }
        if !self.captions.is_empty() {
            if let Some(s) = found(
                &self.captions,
                &joined(doc, self.fields.captions),
                SnippetSource::Captions,
            ) {
                return s;
            }
        }
        if body.trim().is_empty() {
            if let Some(s) = found(
                &self.title,
                &joined(doc, self.fields.title),
                SnippetSource::Title,
            ) {
                return s;
            }
        }
        let lead = lead(&body, SNIPPET_BYTES);
        one_line(
            lead,
            &[],
            SnippetSource::Lead,
            false,
            lead.len() < body.len(),
        )
    }
}

/// A matched word in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Match {
    start: usize,
    end: usize,
    /// Which query term it is (for counting distinct terms).
    term: usize,
    weight: Score,
}

/// Finds a query's terms in the text of one field.
struct Highlighter {
    /// Analyzed term → (term number, weight: rarer terms weigh more).
    terms: HashMap<String, (usize, Score)>,
    /// Analyzed prefixes, with their term number and weight.
    prefixes: Vec<(String, usize, Score)>,
    /// Lower-case ASCII first letters of the terms and prefixes.
    first_ascii: [bool; 128],
    analyzer: RefCell<TextAnalyzer>,
    /// Word as written → what it matches, for words already analyzed.
    seen: RefCell<HashMap<String, Option<(usize, Score)>>>,
}

impl Highlighter {
    fn new(
        searcher: &Searcher,
        query: &dyn Query,
        prefixes: &[(Field, String)],
        expansions: &[(Field, String)],
        field: Field,
    ) -> tantivy::Result<Highlighter> {
        let mut query_terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                query_terms.push(term.clone());
            }
        });
        for (_, text) in expansions.iter().filter(|(f, _)| *f == field) {
            query_terms.push(tantivy::Term::from_field_text(field, text));
        }
        let mut terms = HashMap::new();
        for term in query_terms {
            if let Some(text) = term.value().as_str() {
                let doc_freq = searcher.doc_freq(&term)?;
                if doc_freq > 0 && !terms.contains_key(text) {
                    let n = terms.len();
                    terms.insert(text.to_string(), (n, 1.0 / (1.0 + doc_freq as Score)));
                }
            }
        }
        let mut weighed = Vec::new();
        for (_, prefix) in prefixes.iter().filter(|(f, _)| *f == field) {
            let doc_freq = prefix_doc_freq(searcher, field, prefix)?;
            if doc_freq > 0 {
                weighed.push((
                    prefix.clone(),
                    terms.len() + weighed.len(),
                    1.0 / (1.0 + doc_freq as Score),
                ));
            }
        }
        let mut first_ascii = [false; 128];
        for word in terms.keys().chain(weighed.iter().map(|p| &p.0)) {
            match word.chars().next() {
                Some(c) if c.is_ascii() => first_ascii[c.to_ascii_lowercase() as usize] = true,
                _ => {}
            }
        }
        Ok(Highlighter {
            terms,
            prefixes: weighed,
            first_ascii,
            analyzer: RefCell::new(searcher.index().tokenizer_for_field(field)?),
            seen: RefCell::new(HashMap::new()),
        })
    }

    fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.prefixes.is_empty()
    }

    /// Every matched word of `text`, in order.
    fn matches(&self, text: &str) -> Vec<Match> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        let mut words = SimpleTokenizer::default();
        let mut stream = words.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            let word = &text[token.offset_from..token.offset_to];
            let Some(first) = word.chars().next() else {
                continue;
            };
            // A non-ASCII first letter may fold into anything: always a candidate.
            let candidate =
                !first.is_ascii() || self.first_ascii[first.to_ascii_lowercase() as usize];
            if !candidate {
                continue;
            }
            if let Some((term, weight)) = self.lookup(word) {
                out.push(Match {
                    start: token.offset_from,
                    end: token.offset_to,
                    term,
                    weight,
                });
            }
        }
        out
    }

    /// What `word` matches, through the field's analyzer (once per distinct word).
    fn lookup(&self, word: &str) -> Option<(usize, Score)> {
        if let Some(found) = self.seen.borrow().get(word) {
            return *found;
        }
        let mut found = None;
        self.analyzer
            .borrow_mut()
            .token_stream(word)
            .process(&mut |t| {
                if found.is_none() {
                    found = self.terms.get(&t.text).copied().or_else(|| {
                        self.prefixes
                            .iter()
                            .find(|(p, _, _)| t.text.starts_with(p.as_str()))
                            .map(|&(_, n, w)| (n, w))
                    });
                }
            });
        self.seen.borrow_mut().insert(word.to_string(), found);
        found
    }
}

/// How many documents hold a term starting with `prefix` (over the first terms only).
fn prefix_doc_freq(searcher: &Searcher, field: Field, prefix: &str) -> tantivy::Result<u64> {
    let mut total = 0u64;
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
        let mut taken = 0;
        while taken < PREFIX_EXPANSIONS && stream.advance() {
            if !stream.key().starts_with(prefix.as_bytes()) {
                break;
            }
            total += u64::from(stream.value().doc_freq);
            taken += 1;
        }
    }
    Ok(total)
}

/// A field's values joined by a space.
fn joined(doc: &TantivyDocument, field: Field) -> String {
    let mut text = String::new();
    for value in doc.get_all(field) {
        if let Some(s) = value.as_str() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(s);
        }
    }
    text
}

/// The passage of at most `max` bytes with the most distinct matched terms (rarer terms
/// weighing more, repeats a little), starting a little before its first match.
fn passage(text: &str, matches: &[Match], max: usize, source: SnippetSource) -> Snippet {
    let (mut best_i, mut best_j, mut best_score) = (0, 1, Score::MIN);
    let mut seen: Vec<usize> = Vec::new();
    for i in 0..matches.len() {
        seen.clear();
        let mut score = 0.0;
        let mut j = i;
        while j < matches.len() && matches[j].end - matches[i].start <= max {
            let m = &matches[j];
            score += if seen.contains(&m.term) {
                REPEAT_WEIGHT * m.weight
            } else {
                m.weight
            };
            seen.push(m.term);
            j += 1;
        }
        // A match longer than `max` alone still makes a passage.
        let j = j.max(i + 1);
        if score > best_score {
            (best_i, best_j, best_score) = (i, j, score);
        }
    }
    let first = matches[best_i].start;
    let last = matches[best_j - 1].end;
    // Context before the first match: from the start of its sentence when that fits,
    // else a third of the room left, from the start of a word.
    let spare = max.saturating_sub(last - first);
    let start = sentence_start(text, first, spare).unwrap_or_else(|| {
        let mut start = first.saturating_sub(spare / 3);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        if start == 0 {
            return 0;
        }
        text[start..first]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(first, |(i, c)| start + i + c.len_utf8())
    });
    let mut end = (start + max).max(last).min(text.len());
    if end < text.len() {
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // End after a word.
        if let Some(space) = text[last..end].rfind(char::is_whitespace) {
            end = last + space;
        } else {
            end = last;
        }
    }
    let (start, end) = widen(text, start.min(first), end.max(last));
    let highlights: Vec<(usize, usize)> = matches
        .iter()
        .filter(|m| m.start >= start && m.end <= end)
        .map(|m| (m.start - start, m.end - start))
        .collect();
    let cut_after = !text[end..].trim().is_empty();
    let cut_before = !text[..start].trim().is_empty();
    one_line(
        &text[start..end],
        &highlights,
        source,
        cut_before,
        cut_after,
    )
}

/// The start of the sentence holding byte `at`, if it lies at most `room` bytes before.
fn sentence_start(text: &str, at: usize, room: usize) -> Option<usize> {
    let mut from = at.saturating_sub(room);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..at];
    let mut best = (from == 0).then_some(0);
    let mut previous: Option<char> = None;
    for (i, c) in before.char_indices() {
        if c == '\n'
            || (c.is_whitespace() && matches!(previous, Some('.' | '!' | '?' | '\u{201d}' | '"')))
        {
            best = Some(from + i + c.len_utf8());
        }
        previous = Some(c);
    }
    // Skip the blanks after the boundary.
    best.map(|b| b + text[b..at].len() - text[b..at].trim_start().len())
}

/// Widens a passage (which starts and ends on a word) over the punctuation glued to it,
/// so that `“peace”.` keeps its quotes and full stop.
fn widen(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let glued = |c: char| !c.is_whitespace() && !c.is_alphanumeric();
    while let Some(c) = text[..start].chars().next_back().filter(|&c| glued(c)) {
        start -= c.len_utf8();
    }
    while let Some(c) = text[end..].chars().next().filter(|&c| glued(c)) {
        end += c.len_utf8();
    }
    (start, end)
}

/// The start of `text`, at most `max` bytes, cut after a word.
pub(crate) fn lead(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    match head.rfind(char::is_whitespace) {
        Some(space) if space > max / 2 => &head[..space],
        _ => head,
    }
}

/// The passage on one line: runs of whitespace become one space; highlights follow.
pub(crate) fn one_line(
    text: &str,
    highlights: &[(usize, usize)],
    source: SnippetSource,
    cut_before: bool,
    cut_after: bool,
) -> Snippet {
    // Old byte offset → new byte offset, for every char boundary of `text`.
    let mut map = vec![0usize; text.len() + 1];
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        map[i] = out.len();
        if c.is_whitespace() {
            if !in_space && !out.is_empty() {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    map[text.len()] = out.len();
    out.truncate(out.trim_end().len());
    let clamp = |x: usize| x.min(out.len());
    let mut ranges: Vec<(usize, usize)> = highlights
        .iter()
        .filter(|(s, e)| {
            s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e)
        })
        .map(|&(s, e)| (clamp(map[s]), clamp(map[e])))
        .filter(|(s, e)| s < e)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Snippet {
        text: out,
        highlights: merged,
        source,
        cut_before,
        cut_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, word: &str, term: usize, weight: Score) -> Match {
        let start = text.find(word).unwrap();
        Match {
            start,
            end: start + word.len(),
            term,
            weight,
        }
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect()
    }

    #[test]
    fn one_line_keeps_highlights_on_the_words() {
        let text = "Ukraine  war\n\nin  Kyiv\t";
        let kyiv = text.find("Kyiv").unwrap();
        let s = one_line(
            text,
            &[(0, 7), (kyiv, kyiv + 4)],
            SnippetSource::Body,
            false,
            true,
        );
        assert_eq!(s.text, "Ukraine war in Kyiv");
        assert_eq!(marked(&s), ["Ukraine", "Kyiv"]);
    }

    #[test]
    fn one_line_merges_and_drops_bad_ranges() {
        let s = one_line(
            "ab cd ef",
            &[(3, 5), (0, 2), (1, 2), (7, 99), (4, 4)],
            SnippetSource::Body,
            false,
            false,
        );
        assert_eq!(s.highlights, [(0, 2), (3, 5)]);
    }

    #[test]
    fn one_line_on_multibyte_text() {
        let text = "Zelensky’s  plan — “peace”";
        let start = text.find("peace").unwrap();
        let s = one_line(
            text,
            &[(start, start + 5)],
            SnippetSource::Body,
            false,
            false,
        );
        assert_eq!(marked(&s), ["peace"]);
    }

    #[test]
    fn passages_prefer_distinct_rare_terms() {
        let text = "climate climate climate. Many words here to pad the text out a little. \
                    The climate change summit opened today in Paris with many leaders.";
        let matches = [
            m(text, "climate climate", 0, 0.1),
            Match {
                start: 8,
                end: 15,
                term: 0,
                weight: 0.1,
            },
            Match {
                start: 16,
                end: 23,
                term: 0,
                weight: 0.1,
            },
            m(text, "climate change", 0, 0.1),
            m(text, "change", 1, 0.5),
        ];
        let mut matches = matches.to_vec();
        matches[0].end = matches[0].start + 7;
        matches[3].end = matches[3].start + 7;
        let s = passage(text, &matches, 60, SnippetSource::Body);
        assert!(s.text.contains("climate change summit"), "{s:?}");
        assert!(s.cut_before && s.cut_after);
        assert!(marked(&s).contains(&"change"));
    }

    #[test]
    fn passages_start_on_a_word_and_keep_punctuation() {
        let text = "Alpha beta gamma delta epsilon zeta “target” eta theta.";
        let s = passage(text, &[m(text, "target", 0, 1.0)], 30, SnippetSource::Body);
        assert!(s.text.contains("“target”"), "{s:?}");
        assert!(!s.text.starts_with(|c: char| c.is_whitespace()));
        assert_eq!(marked(&s), ["target"]);
        let whole = passage(
            "just target.",
            &[m("just target.", "target", 0, 1.0)],
            100,
            SnippetSource::Title,
        );
        assert_eq!(whole.text, "just target.");
        assert!(!whole.cut_before && !whole.cut_after);
    }

    #[test]
    fn passages_start_a_sentence_when_they_can() {
        let text = "The UK is to lead the Ukraine group. Next week, the Defence Secretary meets.";
        let s = passage(text, &[m(text, "Ukraine", 0, 1.0)], 60, SnippetSource::Body);
        assert!(s.text.starts_with("The UK is to lead"), "{s:?}");
        assert!(!s.cut_before);
        let s = passage(
            text,
            &[m(text, "Secretary", 0, 1.0)],
            60,
            SnippetSource::Body,
        );
        assert!(s.text.starts_with("Next week"), "{s:?}");
        assert!(s.cut_before);
        assert_eq!(sentence_start("a. b", 3, 10), Some(3));
        assert_eq!(sentence_start("abc def", 4, 2), None);
    }

    #[test]
    fn fragments_keep_their_punctuation() {
        let text = "He said “peace now.” Then left";
        let start = text.find("peace").unwrap();
        let end = text.find("now").unwrap() + 3;
        let (a, b) = widen(text, start, end);
        assert_eq!(&text[a..b], "“peace now.”");
        assert_eq!(widen("x", 0, 1), (0, 1));
    }

    #[test]
    fn leads_cut_after_a_word() {
        assert_eq!(lead("short", 10), "short");
        assert_eq!(lead("one two three four", 12), "one two");
        assert_eq!(lead("ééééé", 3), "é");
    }
}
