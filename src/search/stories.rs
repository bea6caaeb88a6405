//! Stories in searches: the copies folded into a hit, the copies of one article (`show`),
//! and related coverage (`similar`, and `like:ID` in a query): the articles most like one
//! article, by its distinctive terms, its own copies left out.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::collect::{Candidate, Group};
use super::copies::{sort_copies, Copy, CopyReader};
use super::query::BuiltQuery;
use super::{DocKind, Hit, QueryError, SearchIndex, SearchRequest, SearchResults};
use crate::index::codec as docs;
use crate::story::story_name;

/// Copies listed under one hit at most (all are counted).
const MAX_COPIES_LISTED: usize = 50;
/// Terms of a more-like-this query: the article's most distinctive words (Lucene's and
/// Elasticsearch's `max_query_terms`).
const SIMILAR_TERMS: usize = 25;
/// Share of those words a related article holds at least (as Elasticsearch's
/// more-like-this `minimum_should_match`, whose default is 30%: at 1M articles that left
/// fewer than ten hits for a third of the articles; 15% is 3 of 25 words). Any one word
/// matched most of a 1M-article archive, and the pass filed every match under its story
/// before the best ten were known. When fewer than [`super::FALLBACK_BELOW`] articles
/// hold that many (a small archive, narrow filters), any one word will do, as before.
const SIMILAR_MIN_SHARE: f32 = 0.15;
/// Words in more than this share of the documents only fill the query up when the article
/// has fewer than [`SIMILAR_TERMS`] rarer ones (Lucene's `maxDocFreqPct`): a common word
/// with many occurrences ranked high by tf·idf, and walking its postings was most of the
/// cost of a `similar` at 1M articles.
const SIMILAR_MAX_DF_SHARE: f32 = 0.05;
/// ... and in more than this many: the cap is there for speed, and a word in fewer
/// documents costs nothing (in a small archive every shared word is in 5% of it).
const SIMILAR_MAX_DF_FLOOR: f32 = 1_000.0;

/// The story of an article hit.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryHit {
    /// `s` and 16 hex digits; an article without copies is a story of its own.
    pub id: String,
    /// The other articles of the story among the matches (when folded into this hit), or
    /// in the index (for `show`), best first; at most [`MAX_COPIES_LISTED`].
    pub copies: Vec<Copy>,
    /// How many copies there are in all.
    pub copy_count: usize,
    /// The copies were folded into this hit (else they are hits of their own).
    pub folded: bool,
}

/// `newsfind similar`: the article and the filters.
#[derive(Debug, Clone)]
pub struct SimilarRequest {
    /// Article id or file path.
    pub target: String,
    /// The search around it: dates, sources, sort, window, snippets, collapse (its query
    /// text is not used).
    pub search: SearchRequest,
}

/// What `similar` found: the article and its related coverage.
#[derive(Debug, Clone)]
pub struct Similar {
    pub of: Copy,
    /// The article's own copies (left out of the hits).
    pub copies: Vec<Copy>,
    pub results: SearchResults,
}

impl SearchIndex {
    /// The story of a hit, with the copies folded into it.
    pub(super) fn story_hit(
        &self,
        copies_of: &mut CopyReader<'_>,
        c: &Candidate,
        hit: &Hit,
        groups: &HashMap<u64, Group>,
        collapse: bool,
    ) -> anyhow::Result<Option<StoryHit>> {
        if hit.kind != DocKind::Article {
            return Ok(None);
        }
        let Some(story) = c.story else {
            return Ok(Some(StoryHit {
                id: own_story(&hit.id),
                copies: Vec::new(),
                copy_count: 0,
                folded: collapse,
            }));
        };
        let mut copies = Vec::new();
        let mut copy_count = 0;
        if let Some(g) = groups.get(&story) {
            for &addr in g.members.iter().filter(|&&a| a != c.addr) {
                copy_count += 1;
                if copies.len() < MAX_COPIES_LISTED {
                    copies.push(copies_of.read(addr)?);
                }
            }
        }
        sort_copies(&mut copies);
        Ok(Some(StoryHit {
            id: story_name(story),
            copies,
            copy_count,
            folded: collapse,
        }))
    }

    /// Every article of a story but one, in the index.
    fn members(
        &self,
        searcher: &Searcher,
        copies_of: &mut CopyReader<'_>,
        story: u64,
        except: DocAddress,
    ) -> anyhow::Result<Vec<Copy>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.story, story),
            IndexRecordOption::Basic,
        );
        let mut addrs: Vec<DocAddress> = searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .filter(|&a| a != except)
            .collect();
        addrs.sort_unstable();
        let mut copies = addrs
            .into_iter()
            .map(|a| copies_of.read(a))
            .collect::<anyhow::Result<Vec<Copy>>>()?;
        sort_copies(&mut copies);
        Ok(copies)
    }

    /// The story of a stored article, with all its copies in the index (`show`).
    pub fn article_story(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        doc: &TantivyDocument,
    ) -> anyhow::Result<StoryHit> {
        let id = self.text(doc, self.fields.id).to_string();
        match doc.get_first(self.fields.story).and_then(|v| v.as_u64()) {
            Some(story) => {
                let mut copies_of = CopyReader::new(self, searcher, true);
                let copies = self.members(searcher, &mut copies_of, story, addr)?;
                Ok(StoryHit {
                    id: story_name(story),
                    copy_count: copies.len(),
                    copies,
                    folded: false,
                })
            }
            None => Ok(StoryHit {
                id: own_story(&id),
                copies: Vec::new(),
                copy_count: 0,
                folded: false,
            }),
        }
    }

    /// Related coverage: the articles most like one article (by its most distinctive
    /// words, a more-like-this query on title and body), within the request's filters,
    /// leaving out the article and its own copies. `None` when there is no such article.
    pub fn similar(&self, req: &SimilarRequest) -> anyhow::Result<Option<Similar>> {
        let searcher = self.searcher();
        let Some(addr) = self.locate(&searcher, &req.target)? else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = self.fields;
        if self.text(&doc, f.kind) != crate::index::schema::KIND_ARTICLE {
            anyhow::bail!(
                "{} is a teaser: `similar` takes an article (its id starts with `a`)",
                req.target
            );
        }
        let copies = match doc.get_first(f.story).and_then(|v| v.as_u64()) {
            Some(story) => {
                let mut copies_of = CopyReader::new(self, &searcher, req.search.copy_details);
                self.members(&searcher, &mut copies_of, story, addr)?
            }
            None => Vec::new(),
        };
        // The filters (dates, sources, articles only) as a query that scores nothing.
        let mut search = req.search.clone();
        search.query = "*".to_string();
        search.kind = super::KindFilter::Article;
        let (filters, notes) = self.filters(&searcher, &search)?;
        let run = |narrow: bool| -> anyhow::Result<SearchResults> {
            let built = self.queries.build(&searcher, "*", &filters, search.today)?;
            let built = self.like_article(&searcher, built, &doc, narrow)?;
            self.search_built(searcher.clone(), built, &search, notes.clone())
        };
        let mut results = run(true)?;
        if results.total < super::FALLBACK_BELOW {
            results = run(false)?;
        }
        Ok(Some(Similar {
            of: self.copy_of(&doc),
            copies,
            results,
        }))
    }
}

impl SearchIndex {
    /// `query` with the related coverage of an article required: its more-like-this
    /// query (`narrow`: with [`SIMILAR_MIN_SHARE`] of its words required), the article
    /// and its own copies left out.
    fn like_article(
        &self,
        searcher: &Searcher,
        query: BuiltQuery,
        doc: &TantivyDocument,
        narrow: bool,
    ) -> anyhow::Result<BuiltQuery> {
        let f = self.fields;
        let mut built = query
            .with(Occur::Must, self.more_like_this(searcher, doc, narrow)?)
            .with(
                Occur::MustNot,
                Box::new(TermQuery::new(
                    docs::id_term(&f, self.text(doc, f.id)),
                    IndexRecordOption::Basic,
                )),
            );
        if let Some(story) = doc.get_first(f.story).and_then(|v| v.as_u64()) {
            built = built.with(
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.story, story),
                    IndexRecordOption::Basic,
                )),
            );
        }
        Ok(built)
    }

    /// `query` with a `like:TARGET` clause of the query text `text` (see
    /// [`like_clauses`]): the related coverage of the article TARGET (an id or a path),
    /// narrow or not as in [`SearchIndex::like_article`].
    pub(super) fn like(
        &self,
        searcher: &Searcher,
        query: BuiltQuery,
        text: &str,
        target: &str,
        narrow: bool,
    ) -> anyhow::Result<BuiltQuery> {
        let found = self.locate(searcher, target)?;
        let Some(addr) = found else {
            return Err(invalid(
                text,
                format!("like:{target}: no article with this id or path in the index"),
            )
            .into());
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        if self.text(&doc, self.fields.kind) != crate::index::schema::KIND_ARTICLE {
            return Err(invalid(
                text,
                format!(
                    "like:{target} is a teaser: like: takes an article (its id starts with `a`)"
                ),
            )
            .into());
        }
        self.like_article(searcher, query, &doc, narrow)
    }

    /// A more-like-this query: the article's [`SIMILAR_TERMS`] most distinctive words of
    /// title and body (term frequency times idf), each boosted by its weight, at least
    /// [`SIMILAR_MIN_SHARE`] of them required when `narrow` (else any one). Written here
    /// rather than with tantivy's `MoreLikeThisQuery`, which panics when a word's document
    /// frequency (deleted documents included, until a merge) exceeds the live documents.
    fn more_like_this(
        &self,
        searcher: &Searcher,
        doc: &TantivyDocument,
        narrow: bool,
    ) -> anyhow::Result<Box<dyn Query>> {
        let f = self.fields;
        let live = searcher.num_docs().max(1) as f32;
        let mut counts: HashMap<Term, u32> = HashMap::new();
        for field in [f.title, f.body] {
            let mut analyzer = searcher.index().tokenizer_for_field(field)?;
            let mut stream = analyzer.token_stream(self.text(doc, field));
            while let Some(token) = stream.next() {
                if token.text.chars().count() >= 3 {
                    *counts
                        .entry(Term::from_field_text(field, &token.text))
                        .or_default() += 1;
                }
            }
        }
        // Document frequencies a segment at a time, the words in order: neighbours share
        // most of the way through the segment's term dictionary (looked up word by word
        // in every segment, they were a fifth of the time of a `similar` at 1M).
        let mut words: Vec<(Term, u32)> = counts.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut dfs = vec![0u64; words.len()];
        for segment in searcher.segment_readers() {
            let title = segment.inverted_index(f.title)?;
            let body = segment.inverted_index(f.body)?;
            for ((term, _), df) in words.iter().zip(dfs.iter_mut()) {
                let index = if term.field() == f.title {
                    &title
                } else {
                    &body
                };
                *df += u64::from(index.doc_freq(term)?);
            }
        }
        let mut scored: Vec<(bool, f32, Term)> = Vec::with_capacity(words.len());
        for ((term, tf), df) in words.into_iter().zip(dfs) {
            let df = (df as f32).min(live);
            // A word of this article only finds nothing else.
            if df < 2.0 {
                continue;
            }
            let idf = (1.0 + (live - df + 0.5) / (df + 0.5)).ln();
            let common = df > (live * SIMILAR_MAX_DF_SHARE).max(SIMILAR_MAX_DF_FLOOR);
            scored.push((common, tf as f32 * idf, term));
        }
        // Rare words first, each group by weight.
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        scored.truncate(SIMILAR_TERMS);
        let best = scored.iter().map(|s| s.1).fold(f32::MIN, f32::max);
        let best = if best > 0.0 { best } else { 1.0 };
        let required = if narrow {
            ((scored.len() as f32 * SIMILAR_MIN_SHARE) as usize).max(1)
        } else {
            1
        };
        let clauses: Vec<(Occur, Box<dyn Query>)> = scored
            .into_iter()
            .map(|(_, score, term)| {
                let query: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    score / best,
                ));
                (Occur::Should, query)
            })
            .collect();
        Ok(Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses, required,
        )))
    }
}

/// The story id of an article without copies: its own, from its id.
fn own_story(article_id: &str) -> String {
    match docs::article_hash_of_id(article_id) {
        Some(hash) => story_name(hash),
        None => String::new(),
    }
}

fn invalid(query: &str, message: String) -> QueryError {
    QueryError::Invalid {
        query: query.to_string(),
        message,
    }
}

/// The `like:TARGET` clauses of a query text, and the text without them (`*` when
/// nothing is left). A clause is a word of its own at the top of the query, outside
/// quotes (`+like:ID` too): it asks for the articles like TARGET, as `similar` does, and
/// combines with the other clauses as a required one. Inside parentheses, negated or
/// joined with OR it would mean something the search cannot do with one article's
/// related coverage: those are refused, not read as words.
pub(super) fn like_clauses(text: &str) -> Result<(String, Vec<String>), QueryError> {
    // Words outside quotes, with their byte ranges.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut quoted = false;
    let mut start = None;
    for (i, c) in text.char_indices() {
        if matches!(c, '"' | '\u{201c}' | '\u{201d}') {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if let Some(s) = start.take() {
                words.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    let is_operator = |w: &str| matches!(w, "OR" | "AND" | "||" | "&&");
    let mut targets = Vec::new();
    let mut rest = String::new();
    let mut kept_from = 0;
    for (n, &(a, b)) in words.iter().enumerate() {
        let word = &text[a..b];
        let bare = word.trim_start_matches(['+', '-', '(']);
        if !bare.starts_with("like:") || word.starts_with('"') {
            continue;
        }
        let prefix = &word[..word.len() - bare.len()];
        if prefix.contains(['-', '(']) {
            return Err(invalid(
                text,
                format!(
                    "{word}: like:ID is a clause of its own (not negated, not in parentheses); \
                     use -word to leave words out"
                ),
            ));
        }
        let joined = |m: Option<&(usize, usize)>| m.is_some_and(|&(x, y)| is_operator(&text[x..y]));
        if joined(n.checked_sub(1).and_then(|p| words.get(p))) || joined(words.get(n + 1)) {
            return Err(invalid(
                text,
                format!("{word}: like:ID cannot be joined with OR or AND; it is always required"),
            ));
        }
        let target = &bare["like:".len()..];
        if target.is_empty() || target.contains(['"', ')']) {
            return Err(invalid(
                text,
                format!(
                    "{word}: give an article id (as search prints it) or a file path after like:"
                ),
            ));
        }
        targets.push(target.to_string());
        rest.push_str(&text[kept_from..a]);
        kept_from = b;
    }
    rest.push_str(&text[kept_from..]);
    let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    if targets.is_empty() {
        return Ok((text.to_string(), targets));
    }
    Ok((
        if rest.is_empty() {
            "*".to_string()
        } else {
            rest
        },
        targets,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_clauses_are_taken_out_of_the_text() {
        let ok = |text: &str| like_clauses(text).unwrap();
        let targets = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(ok("budget talks"), ("budget talks".into(), vec![]));
        assert_eq!(
            ok("like:a0123456789abcdef"),
            ("*".into(), targets(&["a0123456789abcdef"]))
        );
        assert_eq!(
            ok("like:a1 -trump  budget"),
            ("-trump budget".into(), targets(&["a1"]))
        );
        assert_eq!(
            ok("+like:news/a.txt \"like:x y\" like:a2"),
            ("\"like:x y\"".into(), targets(&["news/a.txt", "a2"]))
        );
        // Curly quotes hide it as well.
        assert_eq!(ok("\u{201c}a like:b\u{201d}").1, targets(&[]));
        // Not a clause: inside a word.
        assert_eq!(ok("unlike:x").1, targets(&[]));
        for bad in [
            "-like:a1 trump",
            "(like:a1 OR trump)",
            "like:a1 OR trump",
            "trump AND like:a1",
            "like:",
            "like:a1)",
        ] {
            let err = like_clauses(bad).unwrap_err().to_string();
            assert!(err.contains("like:"), "{bad}: {err}");
        }
    }
}
