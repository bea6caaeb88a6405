//! Snippets: the best passage of a hit with the matched words marked, from the body, else
//! the captions, else the title; the start of the body when nothing matched (a match on
//! the byline or the source).

use std::collections::BTreeMap;

use tantivy::query::Query;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Score, Searcher, TantivyDocument};

use crate::index::schema::Fields;

/// Longest passage, in bytes.
pub const SNIPPET_BYTES: usize = 220;
/// Most terms a `word*` prefix expands to for highlighting.
const PREFIX_EXPANSIONS: usize = 200;

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
    body: SnippetGenerator,
    captions: SnippetGenerator,
    title: SnippetGenerator,
    fields: Fields,
}

impl SnippetMaker {
    /// `prefixes` are the query's `word*` prefixes (tantivy does not see them as terms).
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        prefixes: &[(Field, String)],
        fields: &Fields,
    ) -> tantivy::Result<SnippetMaker> {
        let make = |field| generator(searcher, query, prefixes, field);
        Ok(SnippetMaker { body: make(fields.body)?, captions: make(fields.captions)?, title: make(fields.title)?, fields: *fields })
    }

    pub fn snippet(&self, doc: &TantivyDocument) -> Snippet {
        for (generator, source) in [
            (&self.body, SnippetSource::Body),
            (&self.captions, SnippetSource::Captions),
            (&self.title, SnippetSource::Title),
        ] {
            let text = joined(doc, generator_field(source, &self.fields));
            let s = generator.snippet(&text);
            if !s.highlighted().is_empty() {
                let range = s.fragment_range();
                let highlights: Vec<(usize, usize)> = s.highlighted().iter().map(|r| (r.start, r.end)).collect();
                return one_line(s.fragment(), &highlights, source, range.start > 0, range.end < text.len());
            }
        }
        let body = joined(doc, self.fields.body);
        let lead = lead(&body, SNIPPET_BYTES);
        one_line(lead, &[], SnippetSource::Lead, false, lead.len() < body.len())
    }
}

fn generator_field(source: SnippetSource, fields: &Fields) -> Field {
    match source {
        SnippetSource::Captions => fields.captions,
        SnippetSource::Title => fields.title,
        SnippetSource::Body | SnippetSource::Lead => fields.body,
    }
}

/// A field's values joined by a space, as tantivy's `snippet_from_doc` does.
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

/// A snippet generator for `field`: the query's terms in it (scored as tantivy does,
/// rarer terms first) plus the indexed terms its prefixes expand to.
fn generator(
    searcher: &Searcher,
    query: &dyn Query,
    prefixes: &[(Field, String)],
    field: Field,
) -> tantivy::Result<SnippetGenerator> {
    let mut terms: BTreeMap<String, Score> = BTreeMap::new();
    let mut query_terms = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            query_terms.push(term.clone());
        }
    });
    for term in query_terms {
        if let Some(text) = term.value().as_str() {
            let doc_freq = searcher.doc_freq(&term)?;
            if doc_freq > 0 {
                terms.insert(text.to_string(), 1.0 / (1.0 + doc_freq as Score));
            }
        }
    }
    for (_, prefix) in prefixes.iter().filter(|(f, _)| *f == field) {
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
            let mut taken = 0;
            while taken < PREFIX_EXPANSIONS && stream.advance() {
                if !stream.key().starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(text) = std::str::from_utf8(stream.key()) {
                    let score = 1.0 / (1.0 + stream.value().doc_freq as Score);
                    terms.entry(text.to_string()).or_insert(score);
                }
                taken += 1;
            }
        }
    }
    let tokenizer = searcher.index().tokenizer_for_field(field)?;
    Ok(SnippetGenerator::new(terms, tokenizer, field, SNIPPET_BYTES))
}

/// The start of `text`, at most `max` bytes, cut after a word.
fn lead(text: &str, max: usize) -> &str {
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
fn one_line(text: &str, highlights: &[(usize, usize)], source: SnippetSource, cut_before: bool, cut_after: bool) -> Snippet {
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
        .filter(|(s, e)| s < e && *e <= text.len() && text.is_char_boundary(*s) && text.is_char_boundary(*e))
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
    Snippet { text: out, highlights: merged, source, cut_before, cut_after }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_keeps_highlights_on_the_words() {
        let text = "Ukraine  war\n\nin  Kyiv\t";
        let s = one_line(text, &[(0, 7), (16, 20)], SnippetSource::Body, false, true);
        assert_eq!(s.text, "Ukraine war in Kyiv");
        let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
        assert_eq!(marked, ["Ukraine", "Kyiv"]);
    }

    #[test]
    fn one_line_merges_and_drops_bad_ranges() {
        let s = one_line("ab cd ef", &[(3, 5), (0, 2), (1, 2), (7, 99), (4, 4)], SnippetSource::Body, false, false);
        assert_eq!(s.highlights, [(0, 2), (3, 5)]);
    }

    #[test]
    fn one_line_on_multibyte_text() {
        let text = "Zelensky’s  plan — “peace”";
        let start = text.find("peace").unwrap();
        let s = one_line(text, &[(start, start + 5)], SnippetSource::Body, false, false);
        let (a, b) = s.highlights[0];
        assert_eq!(&s.text[a..b], "peace");
    }

    #[test]
    fn leads_cut_after_a_word() {
        assert_eq!(lead("short", 10), "short");
        assert_eq!(lead("one two three four", 12), "one two");
        assert_eq!(lead("ééééé", 3), "é");
    }
}
