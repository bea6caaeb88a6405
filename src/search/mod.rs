//! The searcher: query building, date parsing, filters, ranking, snippets and facets over
//! an index, handed back as plain data ([`SearchResults`], [`Hit`], [`Facets`]). It prints
//! nothing; `crate::output` decides how results look.
//!
//! The matching strategy lives here: every free word first; when fewer than
//! [`FALLBACK_BELOW`] documents hold them all, as many of them as enough documents hold
//! (rarer words weigh more in the ranking, through BM25), said in [`Matching`]. Such a
//! search ranks each word over the fields as one text ([`bm25f`]) and with the words of
//! its best documents ([`feedback`]); a search answered by every word, as typed.

mod bm25f;
mod collect;
mod copies;
mod dates;
mod document;
mod feedback;
mod fetch;
mod marks;
mod query;
mod snippet;
mod stats;
mod stories;
mod suggest;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::index::codec::{self as docs, StoredDoc, TeaserDoc};
use crate::index::day::Day;
use crate::index::schema::{open_index, Fields, KIND_TEASER};
pub use collect::SortOrder;
use collect::{Candidate, Collected, HitCollector, RawFacets, WordCounts};
pub use copies::Copy;
pub use dates::{DateRange, DateSpan};
pub use document::{is_doc_id, Document};
pub(crate) use query::{is_stop_word, parse_user_query};
use query::{BuiltQuery, QueryBuilder};
pub use query::{Filters, KindFilter, MatchStrategy, QueryError};
use snippet::SnippetMaker;
pub(crate) use snippet::{lead, one_line, SNIPPET_BYTES};
pub use snippet::{Snippet, SnippetSource};
pub use stats::{IndexStats, SourceCount, SourceSummary};
pub use stories::{Similar, SimilarRequest, StoryHit};

/// Sources listed in the facets.
pub const TOP_SOURCES: usize = 10;
/// Documents of a source looked at for its display name.
const NAME_LOOKS: usize = 8;
/// Fewer documents than this holding every free word: the automatic strategy falls back
/// to most of them.
pub const FALLBACK_BELOW: u64 = 10;
/// `most` requires as many of the free words as at least this many documents hold. Measured
/// on bench/relevance: 10, 30 or 100 documents rank the first ten a little better
/// (documents with more of the words come first) but cut the relevant ones further down;
/// 1,000 keeps recall and the ranking within 0.01 of the best nDCG.
const MOST_ENOUGH: u64 = 1_000;
/// Fewer documents than this holding every word: look for corrections of rare words.
const SUGGEST_BELOW: u64 = 10;
/// Closest sources named when `--source` matches none.
const CLOSEST_SOURCES: usize = 3;

/// One search, as the command line asks it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query text, in tantivy's syntax plus `date:`, `word*` and `word~N`.
    pub query: String,
    /// How many free words a hit must hold; `None`: all, else most (automatic).
    pub matching: Option<MatchStrategy>,
    /// From `--since`, `--until`, `--on` (the query's `date:` comes on top).
    pub dates: DateRange,
    /// Slugs or display names, any case; a document from any of them matches.
    pub sources: Vec<String>,
    pub kind: KindFilter,
    pub sort: SortOrder,
    pub offset: usize,
    pub limit: usize,
    /// Count the matches by source and month.
    pub facets: bool,
    /// Show each story once, by its best match, its copies listed under it.
    pub collapse: bool,
    /// Make snippets (not needed to print paths).
    pub snippets: bool,
    /// Read the copies listed under a hit whole: their ids, titles, sources' names and
    /// paths, from their stored documents (JSON prints them). Else only their sources and
    /// dates, from the fast fields (what a text listing prints): see [`struct@Copy`].
    pub copy_details: bool,
    /// The day relative dates count from.
    pub today: NaiveDate,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Number of matching documents.
    pub total: u64,
    /// Number of matching stories: the copies of one story count once.
    pub stories: u64,
    /// Position of the first hit among all matches.
    pub offset: usize,
    pub hits: Vec<Hit>,
    pub facets: Option<Facets>,
    /// Things the user should know, e.g. a source with no document.
    pub notes: Vec<String>,
    /// Which strategy answered.
    pub matching: Matching,
    /// The query with rare or absent words corrected, when few documents matched.
    pub suggestion: Option<Suggestion>,
}

/// How the free words of a query were matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matching {
    pub strategy: MatchStrategy,
    /// The free words (plain words at the top of the query, stop words left out).
    pub words: usize,
    /// How many of them every hit holds at least.
    pub required: usize,
    /// Chosen because fewer than [`FALLBACK_BELOW`] documents hold every word.
    pub fell_back: bool,
    /// When it fell back: how many documents hold every word.
    pub with_all: u64,
}

/// "Did you mean": the query with corrected words, and how many documents it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub query: String,
    pub total: u64,
}

/// Kind of an indexed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Article,
    Teaser,
}

impl DocKind {
    pub fn name(self) -> &'static str {
        match self {
            DocKind::Article => crate::index::schema::KIND_ARTICLE,
            DocKind::Teaser => KIND_TEASER,
        }
    }
}

/// One matching document.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    pub date: Option<NaiveDate>,
    /// Display name of the source.
    pub source: String,
    pub source_slug: String,
    /// The file (for a teaser: the first file it was seen in).
    pub path: String,
    pub score: f32,
    pub snippet: Option<Snippet>,
    /// The matched words of the title, as byte ranges into it (with snippets only).
    pub title_highlights: Vec<(usize, usize)>,
    /// Teasers: how often and until when they were seen.
    pub teaser: Option<TeaserStats>,
    /// Articles: in how many indexed files their title appears as a teaser.
    pub seen_as_teaser: Option<u64>,
    /// Articles: their story, and its other matching articles.
    pub story: Option<StoryHit>,
}

/// What is known of a teaser beyond its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeaserStats {
    /// Number of indexed files carrying it.
    pub seen_count: u64,
    /// Date of the last of them.
    pub last_seen: Option<NaiveDate>,
    /// Its summary is cut mid-sentence.
    pub truncated: bool,
}

/// Counts of all matching documents (not only the hits shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facets {
    /// The [`TOP_SOURCES`] sources with most matches, most first.
    pub sources: Vec<SourceCount>,
    /// How many sources have a match (`sources` shows the first of them).
    pub source_total: u64,
    /// Every month with a match, in order.
    pub months: Vec<MonthCount>,
    /// Matches without a date.
    pub undated: u64,
    /// Stories among the matches without a date that have no dated match, where counted.
    pub undated_stories: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    pub year: i32,
    pub month: u32,
    pub count: u64,
    /// Stories that start this month (a story is dated by its first matching article),
    /// where counted.
    pub stories: Option<u64>,
}

/// The matching documents of a search, before their stored documents are read.
struct Matched {
    searcher: Searcher,
    built: query::BuiltQuery,
    /// The query that answered, with the strategy's number of words.
    query: Box<dyn tantivy::query::Query>,
    /// The best matches, sorted (ties not yet by path).
    cands: Vec<Candidate>,
    /// Which of them to show.
    window: fetch::Window,
    /// Stories with more than one matching article.
    groups: HashMap<u64, collect::Group>,
    collapse: bool,
}

/// An open index, ready to answer searches.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    queries: QueryBuilder,
}

impl SearchIndex {
    /// Opens the index in `dir` for reading.
    pub fn open(dir: &Path) -> anyhow::Result<SearchIndex> {
        let (index, fields) = open_index(dir)?;
        SearchIndex::new(index, fields)
    }

    pub fn new(index: Index, fields: Fields) -> anyhow::Result<SearchIndex> {
        // Manual: a one-shot reader needs no thread watching for commits.
        SearchIndex::with_policy(index, fields, ReloadPolicy::Manual)
    }

    /// Opens the index in `dir` for a long-running reader (`newsfind serve`): a thread
    /// watches `meta.json`, so commits of a concurrent `newsfind index` show up by
    /// themselves, shortly after they land.
    pub fn open_live(dir: &Path) -> anyhow::Result<SearchIndex> {
        let (index, fields) = open_index(dir)?;
        SearchIndex::with_policy(index, fields, ReloadPolicy::OnCommitWithDelay)
    }

    fn with_policy(
        index: Index,
        fields: Fields,
        policy: ReloadPolicy,
    ) -> anyhow::Result<SearchIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .try_into()
            .context("opening an index reader")?;
        let queries = QueryBuilder::new(&index, fields)?;
        Ok(SearchIndex {
            reader,
            fields,
            queries,
        })
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Runs one search, with the hits' documents in memory (for a page of hits).
    pub fn search(&self, req: &SearchRequest) -> anyhow::Result<SearchResults> {
        let mut hits = Vec::new();
        let mut results = self.search_each(req, |hit| {
            hits.push(hit);
            Ok(())
        })?;
        results.hits = hits;
        Ok(results)
    }

    /// Runs one search and hands each hit to `on_hit` as soon as it is read, in order:
    /// memory stays flat however many hits are asked for. The results have no hits.
    pub fn search_each(
        &self,
        req: &SearchRequest,
        on_hit: impl FnMut(Hit) -> anyhow::Result<()>,
    ) -> anyhow::Result<SearchResults> {
        let (matched, results) = self.matched(req, fetch::DOCS_CHUNK, true)?;
        self.hits_of(req, &matched, on_hit)?;
        Ok(results)
    }

    /// Runs a built query with the filters, window and options of `req` (its query text
    /// is not used), the hits' documents in memory.
    fn search_built(
        &self,
        searcher: Searcher,
        built: BuiltQuery,
        req: &SearchRequest,
        notes: Vec<String>,
    ) -> anyhow::Result<SearchResults> {
        let (matched, mut results) =
            self.matched_built(searcher, built, req, notes, fetch::DOCS_CHUNK, false)?;
        let mut hits = Vec::new();
        self.hits_of(req, &matched, |hit| {
            hits.push(hit);
            Ok(())
        })?;
        results.hits = hits;
        Ok(results)
    }

    /// Reads the hits of a search in order and hands each to `on_hit`.
    fn hits_of(
        &self,
        req: &SearchRequest,
        matched: &Matched,
        mut on_hit: impl FnMut(Hit) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let searcher = &matched.searcher;
        let snippets = if req.snippets && matched.cands.len() > req.offset {
            Some(SnippetMaker::new(
                searcher,
                &*matched.query,
                &matched.built.prefixes,
                &matched.built.expansions,
                &self.fields,
            )?)
        } else {
            None
        };
        let mut copies_of = copies::CopyReader::new(self, searcher, req.copy_details);
        fetch::in_order(
            &matched.cands,
            &matched.window,
            |addr| searcher.doc::<TantivyDocument>(addr),
            |doc| self.text(doc, self.fields.path),
            |c, doc| {
                let mut hit = self.hit(searcher, c, &doc, snippets.as_ref())?;
                hit.story =
                    self.story_hit(&mut copies_of, c, &hit, &matched.groups, matched.collapse)?;
                on_hit(hit)
            },
        )
    }

    /// Runs one search and hands the path of each hit to `on_path`, in order, reading
    /// nothing else of the documents (for `--format paths`). The results have no hits.
    pub fn search_paths(
        &self,
        req: &SearchRequest,
        mut on_path: impl FnMut(&str) -> anyhow::Result<()>,
    ) -> anyhow::Result<SearchResults> {
        let (matched, results) = self.matched(req, fetch::PATHS_CHUNK, true)?;
        let searcher = &matched.searcher;
        fetch::in_order(
            &matched.cands,
            &matched.window,
            |addr| fetch::read_text(searcher, self.fields.path, addr),
            String::as_str,
            |_, path| on_path(&path),
        )?;
        Ok(results)
    }

    /// The matching documents of a search: the hits to show, in order, and the results
    /// without their hits.
    /// The matching documents; `suggest`: look for corrections when few match.
    fn matched(
        &self,
        req: &SearchRequest,
        chunk: usize,
        suggest: bool,
    ) -> anyhow::Result<(Matched, SearchResults)> {
        let searcher = self.reader.searcher();
        let (filters, notes) = self.filters(&searcher, req)?;
        let (text, likes) = stories::like_clauses(&req.query)?;
        // `like:ID` narrows its words first and widens them when that finds too few, as
        // `similar` does.
        let run = |narrow: bool| -> anyhow::Result<(Matched, SearchResults)> {
            let mut built = self.queries.build(&searcher, &text, &filters, req.today)?;
            for target in &likes {
                built = self.like(&searcher, built, &req.query, target, narrow)?;
            }
            self.matched_built(searcher.clone(), built, req, notes.clone(), chunk, suggest)
        };
        let found = run(true)?;
        if !likes.is_empty() && found.1.total < FALLBACK_BELOW {
            return run(false);
        }
        Ok(found)
    }

    /// The filters of a request, and what the user should know about them.
    fn filters(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
    ) -> anyhow::Result<(Filters, Vec<String>)> {
        let mut notes = Vec::new();
        let mut slugs: Vec<String> = Vec::new();
        for name in &req.sources {
            let slug = crate::article::slug(name);
            if searcher.doc_freq(&self.source_term(&slug))? == 0 {
                let mut note = format!("no document from source {name:?} (slug {slug:?})");
                let closest = self.closest_sources(searcher, &slug)?;
                if !closest.is_empty() {
                    note.push_str(&format!("; closest: {}", closest.join(", ")));
                }
                notes.push(note);
            }
            if !slugs.contains(&slug) {
                slugs.push(slug);
            }
        }
        if req.dates.is_empty() {
            notes.push("the date filters leave no day to search".to_string());
        }
        let filters = Filters {
            dates: req.dates,
            source_slugs: slugs,
            kind: req.kind,
        };
        Ok((filters, notes))
    }

    /// [`SearchIndex::matched`] for a built query.
    fn matched_built(
        &self,
        searcher: Searcher,
        built: BuiltQuery,
        req: &SearchRequest,
        mut notes: Vec<String>,
        chunk: usize,
        suggest: bool,
    ) -> anyhow::Result<(Matched, SearchResults)> {
        let schema = searcher.schema();
        let collector = HitCollector {
            order: req.sort,
            collapse: req.collapse,
            story_field: schema.get_field_name(self.fields.story).to_string(),
            keep: req.offset.saturating_add(req.limit),
            facets: req.facets,
            date_field: schema.get_field_name(self.fields.date).to_string(),
            source_facet_field: schema.get_field_name(self.fields.source_facet).to_string(),
        };
        let (query, mut collected, matching) = self.matching(&searcher, &built, req, &collector)?;
        if collected.total == 0 && !req.dates.is_empty() {
            notes.extend(self.dates_note(&searcher, req.dates));
        }
        let facets = match collected.facets {
            Some(raw) => Some(self.facets(&searcher, raw)?),
            None => None,
        };
        // Few documents hold every word (the hits may still be many, from the fallback:
        // `presdient trump` finds trump alone).
        let with_all = if matching.fell_back {
            matching.with_all
        } else {
            collected.total
        };
        let suggestion = if suggest && with_all < SUGGEST_BELOW {
            self.suggestion(&searcher, req, &built, with_all)?
        } else {
            None
        };
        let groups = std::mem::take(&mut collected.groups);
        let results = SearchResults {
            total: collected.total,
            stories: collected.stories,
            offset: req.offset,
            hits: Vec::new(),
            facets,
            notes,
            matching,
            suggestion,
        };
        Ok((
            Matched {
                searcher,
                built,
                query,
                cands: collected.candidates,
                window: fetch::Window {
                    order: req.sort,
                    offset: req.offset,
                    limit: req.limit,
                    chunk,
                },
                groups,
                collapse: req.collapse,
            },
            results,
        ))
    }

    /// Runs the query with the strategy asked for, or the automatic one: every free word,
    /// then, when fewer than [`FALLBACK_BELOW`] documents hold them all, most of them.
    fn matching(
        &self,
        searcher: &Searcher,
        built: &BuiltQuery,
        req: &SearchRequest,
        collector: &HitCollector,
    ) -> anyhow::Result<(Box<dyn tantivy::query::Query>, Collected, Matching)> {
        let words = built.words.len();
        let strategy = req.matching.unwrap_or(MatchStrategy::All);
        let required = match strategy {
            MatchStrategy::All => words,
            MatchStrategy::Any => words.min(1),
            MatchStrategy::Most => self.most_required(searcher, built)?,
        };
        // A query in people's own words (most of its words) is ranked with the words of
        // its best documents too; one answered by every word, as typed.
        let run = |required: usize, strategy: MatchStrategy| -> anyhow::Result<_> {
            let query = built.query(required);
            // Nothing listed (the count of a suggestion): nothing to rank.
            if strategy != MatchStrategy::Most
                || req.sort != SortOrder::Relevance
                || collector.keep == 0
            {
                let collected = searcher
                    .search(&*query, collector)
                    .context("searching the index")?;
                return Ok((query, collected));
            }
            // The first pass keeps enough of its best for the feedback to rerank.
            let deep = HitCollector {
                keep: collector.keep.max(feedback::RERANK_DEPTH),
                story_field: collector.story_field.clone(),
                date_field: collector.date_field.clone(),
                source_facet_field: collector.source_facet_field.clone(),
                ..*collector
            };
            let mut collected = searcher
                .search(&*query, &deep)
                .context("searching the index")?;
            if self.feedback(searcher, &mut collected.candidates, built)? {
                collected.reorder(req.sort, collector.keep);
            }
            Ok((query, collected))
        };
        let (query, collected) = run(required, strategy)?;
        let matching = Matching {
            strategy,
            words,
            required,
            fell_back: false,
            with_all: 0,
        };
        if req.matching.is_some() || words < 2 || collected.total >= FALLBACK_BELOW {
            return Ok((query, collected, matching));
        }
        let most = self.most_required(searcher, built)?;
        if most >= words {
            return Ok((query, collected, matching));
        }
        let with_all = collected.total;
        let (query, collected) = run(most, MatchStrategy::Most)?;
        Ok((
            query,
            collected,
            Matching {
                strategy: MatchStrategy::Most,
                words,
                required: most,
                fell_back: true,
                with_all,
            },
        ))
    }

    /// `cands` (the best matches, by score) reranked with pseudo-relevance feedback (see
    /// [`feedback`]); `false` when their best documents give no feedback word.
    fn feedback(
        &self,
        searcher: &Searcher,
        cands: &mut [Candidate],
        built: &BuiltQuery,
    ) -> anyhow::Result<bool> {
        let feedback = feedback::Feedback {
            searcher,
            text_fields: [self.fields.title, self.fields.body],
            prose: self.queries.prose_analyzer(),
            queries: &self.queries,
        };
        let query_len = built.words.iter().map(|w| w.weight).sum();
        feedback
            .rerank(cands, query_len)
            .context("reading the best documents for feedback")
    }

    /// The most free words that at least [`MOST_ENOUGH`] documents hold (at least one),
    /// from one pass counting the documents by how many of the words they hold.
    fn most_required(&self, searcher: &Searcher, built: &BuiltQuery) -> anyhow::Result<usize> {
        let words = built.words.len();
        // Two words or fewer: most of them is one of them, no pass needed.
        if words <= 2 {
            return Ok(words.min(1));
        }
        let counts = searcher
            .search(&*built.word_count_query(), &WordCounts { words })
            .context("counting the words of the query")?;
        let mut at_least = 0;
        for required in (1..=words).rev() {
            at_least += counts.get(required).copied().unwrap_or(0);
            if at_least >= MOST_ENOUGH {
                return Ok(required);
            }
        }
        Ok(1)
    }

    /// "Did you mean": the free words that are rare or absent, corrected from the index's
    /// vocabulary, when the corrected query matches more documents than `total` (those
    /// holding every word of the query as typed).
    fn suggestion(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        built: &BuiltQuery,
        total: u64,
    ) -> anyhow::Result<Option<Suggestion>> {
        let corrector = suggest::Corrector {
            searcher,
            field: self.fields.body,
            text_fields: [self.fields.title, self.fields.body],
            prose: self.queries.prose_analyzer(),
            plain: self.queries.name_analyzer(),
        };
        let mut text = req.query.clone();
        let mut changed = false;
        // A group of alternatives has no text of its own to correct.
        for word in built.words.iter().filter(|w| !w.text.is_empty()) {
            if let Some(correction) = corrector.correct(&word.text)? {
                if let Some(replaced) = replace_word(&text, &word.text, &correction.word) {
                    text = replaced;
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(None);
        }
        let (_, counted) = self.matched(
            &SearchRequest {
                query: text.clone(),
                offset: 0,
                limit: 0,
                facets: false,
                snippets: false,
                ..req.clone()
            },
            fetch::PATHS_CHUNK,
            false,
        )?;
        Ok((counted.total > total).then_some(Suggestion {
            query: text,
            total: counted.total,
        }))
    }

    /// The indexed sources whose slug is nearest `slug`: containing it or contained in it,
    /// else the most similar, best first.
    fn closest_sources(&self, searcher: &Searcher, slug: &str) -> anyhow::Result<Vec<String>> {
        let mut slugs: Vec<String> = Vec::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.source_facet)?;
            let mut stream = index.terms().stream()?;
            while stream.advance() {
                let Ok(facet) = Facet::from_encoded(stream.key().to_vec()) else {
                    continue;
                };
                if let Some(name) = facet.to_path().first().filter(|n| !n.is_empty()) {
                    if !slugs.iter().any(|s| s == name) {
                        slugs.push((*name).to_string());
                    }
                }
            }
        }
        let score = |candidate: &str| {
            if !slug.is_empty() && (candidate.contains(slug) || slug.contains(candidate)) {
                2.0 - (candidate.len().abs_diff(slug.len()) as f64 / 100.0)
            } else {
                strsim::jaro_winkler(slug, candidate)
            }
        };
        let mut scored: Vec<(f64, String)> = slugs
            .into_iter()
            .map(|s| (score(&s), s))
            .filter(|(score, _)| *score >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(scored
            .into_iter()
            .take(CLOSEST_SOURCES)
            .map(|(_, s)| s)
            .collect())
    }

    /// When date filters left nothing: the dates the index has, if the filters miss them
    /// all (`--since 'last month'` on an archive that ends years ago).
    fn dates_note(&self, searcher: &Searcher, range: DateRange) -> Option<String> {
        if !range.is_bounded() {
            return None;
        }
        let (first, last) = self.date_span(searcher)?;
        let before = range.to.is_some_and(|to| to < first);
        let after = range.from.is_some_and(|from| from > last);
        if !(before || after) {
            return None;
        }
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let asked = match (range.from, range.to) {
            (Some(a), Some(b)) if a == b => format!("on {}", day(a)),
            (Some(a), Some(b)) => format!("from {} to {}", day(a), day(b)),
            (Some(a), None) => format!("since {}", day(a)),
            (None, Some(b)) => format!("until {}", day(b)),
            (None, None) => return None,
        };
        Some(format!(
            "the date filter asks for documents {asked}, but the index's documents are dated {} to {}",
            day(first),
            day(last)
        ))
    }

    /// The first and last dates of the index's documents, from the date column's bounds.
    pub fn date_span(&self, searcher: &Searcher) -> Option<(NaiveDate, NaiveDate)> {
        let name = searcher.schema().get_field_name(self.fields.date);
        let mut span: Option<(i64, i64)> = None;
        for segment in searcher.segment_readers() {
            let Ok(Some(column)) = segment.fast_fields().column_opt::<i64>(name) else {
                continue;
            };
            if column.num_docs() == 0 || column.values.num_vals() == 0 {
                continue;
            }
            let (a, b) = (column.min_value(), column.max_value());
            span = Some(span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
        let (a, b) = span?;
        Some((Day::from_number(a)?.date(), Day::from_number(b)?.date()))
    }

    fn source_term(&self, slug: &str) -> Term {
        Term::from_facet(self.fields.source_facet, &Facet::from_path([slug]))
    }

    fn text<'d>(&self, doc: &'d TantivyDocument, field: tantivy::schema::Field) -> &'d str {
        doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
    }

    fn hit(
        &self,
        searcher: &Searcher,
        c: &Candidate,
        doc: &TantivyDocument,
        snippets: Option<&SnippetMaker>,
    ) -> anyhow::Result<Hit> {
        let stored = StoredDoc::from_tantivy(&self.fields, doc)?;
        let id = stored.id();
        let (kind, title, source, path, teaser) = match stored {
            StoredDoc::Article(a) => (DocKind::Article, a.title, a.source, a.path, None),
            StoredDoc::Teaser(t) => {
                let stats = teaser_stats(&t);
                (
                    DocKind::Teaser,
                    t.text.title,
                    t.first_source,
                    t.first_path,
                    Some(stats),
                )
            }
        };
        let seen_as_teaser = match kind {
            DocKind::Article => self.teaser_seen_count(searcher, &title)?,
            DocKind::Teaser => None,
        };
        Ok(Hit {
            id,
            kind,
            date: c.date.and_then(Day::from_number).map(Day::date),
            source: source.name,
            source_slug: source.slug,
            path,
            score: c.score,
            snippet: snippets.map(|s| s.snippet(doc)),
            title_highlights: snippets
                .map(|s| s.title_highlights(&title))
                .unwrap_or_default(),
            teaser,
            seen_as_teaser,
            story: None,
            title,
        })
    }

    /// The first live document holding `term`.
    fn find(&self, searcher: &Searcher, term: Term) -> anyhow::Result<Option<DocAddress>> {
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, addr)| *addr))
    }

    /// How many files carry `title` as a teaser, from the teaser document's fast field.
    fn teaser_seen_count(&self, searcher: &Searcher, title: &str) -> anyhow::Result<Option<u64>> {
        let id = docs::teaser_id(crate::article::title_key(title));
        let Some(addr) = self.find(searcher, docs::id_term(&self.fields, &id))? else {
            return Ok(None);
        };
        let name = searcher.schema().get_field_name(self.fields.seen_count);
        let column = searcher
            .segment_reader(addr.segment_ord)
            .fast_fields()
            .u64(name)?;
        Ok(column.first(addr.doc_id))
    }

    /// Facets in order, every month from the first to the last (empty ones as zero).
    /// Each with its story count: a source's, how many stories its matches belong to; a
    /// month's, how many stories start there (a story is dated by its first matching
    /// article, so that the months' stories add up to the stories matched).
    fn facets(&self, searcher: &Searcher, raw: RawFacets) -> anyhow::Result<Facets> {
        let month_of = |day: i64| {
            Day::from_number(day)
                .map(Day::date)
                .map(|d| (d.year(), d.month()))
        };
        let mut source_repeats: HashMap<&str, u64> = HashMap::new();
        let mut seen_source: HashSet<(u64, &str)> = HashSet::new();
        let mut days_of: HashMap<u64, Vec<Option<i64>>> = HashMap::new();
        for (story, slug, day) in &raw.in_stories {
            if !seen_source.insert((*story, slug.as_str())) {
                *source_repeats.entry(slug.as_str()).or_default() += 1;
            }
            days_of.entry(*story).or_default().push(*day);
        }
        // Every member but the first of its story repeats it, where it is dated (None:
        // undated). A date outside the calendar is counted under no month, as below.
        let mut month_repeats: HashMap<Option<(i32, u32)>, u64> = HashMap::new();
        for days in days_of.values_mut() {
            // Dated first, oldest first.
            days.sort_by_key(|d| (d.is_none(), *d));
            for day in &days[1..] {
                match day {
                    Some(d) => {
                        if let Some(month) = month_of(*d) {
                            *month_repeats.entry(Some(month)).or_default() += 1;
                        }
                    }
                    None => *month_repeats.entry(None).or_default() += 1,
                }
            }
        }
        let source_total = raw.sources.len() as u64;
        let mut sources = self.top_sources(searcher, raw.sources)?;
        for s in &mut sources {
            let repeats = source_repeats.get(s.slug.as_str()).copied().unwrap_or(0);
            s.stories = Some(s.count.saturating_sub(repeats));
        }
        let mut months: BTreeMap<(i32, u32), u64> = BTreeMap::new();
        for (day, count) in raw.days {
            if let Some(month) = month_of(day) {
                *months.entry(month).or_default() += count;
            }
        }
        let mut months = every_month(&months);
        for m in &mut months {
            let repeats = month_repeats
                .get(&Some((m.year, m.month)))
                .copied()
                .unwrap_or(0);
            m.stories = Some(m.count.saturating_sub(repeats));
        }
        let undated_repeats = month_repeats.get(&None).copied().unwrap_or(0);
        Ok(Facets {
            sources,
            source_total,
            months,
            undated: raw.undated,
            undated_stories: Some(raw.undated.saturating_sub(undated_repeats)),
        })
    }

    /// The [`TOP_SOURCES`] sources with most documents, most first (ties by slug), with
    /// their display names.
    fn top_sources(
        &self,
        searcher: &Searcher,
        counts: HashMap<String, u64>,
    ) -> anyhow::Result<Vec<SourceCount>> {
        let mut top: Vec<(String, u64)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(TOP_SOURCES);
        top.into_iter()
            .map(|(slug, count)| {
                Ok(SourceCount {
                    name: self.source_name(searcher, &slug)?,
                    slug,
                    count,
                    stories: None,
                })
            })
            .collect()
    }

    /// The display name of a source, as stored with its documents: the first of a few that
    /// is not just the slug (files named by their folder have only the slug), else the
    /// slug. Names are not in a fast field: one stored field per document looked at.
    fn source_name(&self, searcher: &Searcher, slug: &str) -> anyhow::Result<String> {
        let query = TermQuery::new(self.source_term(slug), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(NAME_LOOKS).order_by_score())?;
        for (_, addr) in top {
            let name = fetch::read_text(searcher, self.fields.source_name, addr)?;
            if !name.is_empty() && name != slug {
                return Ok(name);
            }
        }
        Ok(slug.to_string())
    }
}

/// Month counts with the months between them that have none, as zero.
pub(crate) fn every_month(counts: &BTreeMap<(i32, u32), u64>) -> Vec<MonthCount> {
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut year, mut month) = first;
    while (year, month) <= last {
        let count = counts.get(&(year, month)).copied().unwrap_or(0);
        out.push(MonthCount {
            year,
            month,
            count,
            stories: None,
        });
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    out
}

fn teaser_stats(t: &TeaserDoc) -> TeaserStats {
    TeaserStats {
        seen_count: t.seen_count,
        last_seen: t.last_day.map(Day::date),
        truncated: t.text.truncated,
    }
}

/// `text` with the first whole-word occurrence of `word` replaced by `by`.
fn replace_word(text: &str, word: &str, by: &str) -> Option<String> {
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let start = from + found;
        let end = start + word.len();
        if !is_word_char(text[..start].chars().next_back())
            && !is_word_char(text[end..].chars().next())
        {
            return Some(format!("{}{by}{}", &text[..start], &text[end..]));
        }
        from = end;
    }
    None
}
