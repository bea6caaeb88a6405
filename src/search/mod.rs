//! The searcher: query building, date parsing, filters, ranking, snippets and facets over
//! an index, handed back as plain data ([`SearchResults`], [`Hit`], [`Facets`]). It prints
//! nothing; `crate::output` decides how results look.

mod collect;
mod dates;
mod document;
mod fetch;
mod marks;
mod query;
mod snippet;
mod stats;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
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
use collect::{Candidate, HitCollector, RawFacets};
pub use dates::{DateRange, DateSpan};
pub use document::{is_doc_id, Document};
pub(crate) use query::parse_user_query;
use query::QueryBuilder;
pub use query::{Filters, KindFilter, QueryError};
use snippet::SnippetMaker;
pub(crate) use snippet::{lead, one_line, SNIPPET_BYTES};
pub use snippet::{Snippet, SnippetSource};
pub use stats::{IndexStats, SourceCount, SourceSummary};

/// Sources listed in the facets.
pub const TOP_SOURCES: usize = 10;
/// Documents of a source looked at for its display name.
const NAME_LOOKS: usize = 8;

/// One search, as the command line asks it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query text, in tantivy's syntax plus `date:` and `word*`.
    pub query: String,
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
    /// Make snippets (not needed to print paths).
    pub snippets: bool,
    /// The day relative dates count from.
    pub today: NaiveDate,
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Number of matching documents.
    pub total: u64,
    /// Position of the first hit among all matches.
    pub offset: usize,
    pub hits: Vec<Hit>,
    pub facets: Option<Facets>,
    /// Things the user should know, e.g. a source with no document.
    pub notes: Vec<String>,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    pub year: i32,
    pub month: u32,
    pub count: u64,
}

/// The matching documents of a search, before their stored documents are read.
struct Matched {
    searcher: Searcher,
    built: query::BuiltQuery,
    /// The best matches, sorted (ties not yet by path).
    cands: Vec<Candidate>,
    /// Which of them to show.
    window: fetch::Window,
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
        mut on_hit: impl FnMut(Hit) -> anyhow::Result<()>,
    ) -> anyhow::Result<SearchResults> {
        let (matched, results) = self.matched(req, fetch::DOCS_CHUNK)?;
        let searcher = &matched.searcher;
        let snippets = if req.snippets && matched.cands.len() > req.offset {
            Some(SnippetMaker::new(
                searcher,
                &*matched.built.query,
                &matched.built.prefixes,
                &self.fields,
            )?)
        } else {
            None
        };
        fetch::in_order(
            &matched.cands,
            &matched.window,
            |addr| searcher.doc::<TantivyDocument>(addr),
            |doc| self.text(doc, self.fields.path),
            |c, doc| on_hit(self.hit(searcher, c, &doc, snippets.as_ref())?),
        )?;
        Ok(results)
    }

    /// Runs one search and hands the path of each hit to `on_path`, in order, reading
    /// nothing else of the documents (for `--format paths`). The results have no hits.
    pub fn search_paths(
        &self,
        req: &SearchRequest,
        mut on_path: impl FnMut(&str) -> anyhow::Result<()>,
    ) -> anyhow::Result<SearchResults> {
        let (matched, results) = self.matched(req, fetch::PATHS_CHUNK)?;
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
    fn matched(
        &self,
        req: &SearchRequest,
        chunk: usize,
    ) -> anyhow::Result<(Matched, SearchResults)> {
        let searcher = self.reader.searcher();
        let schema = searcher.schema();
        let mut notes = Vec::new();
        let mut slugs: Vec<String> = Vec::new();
        for name in &req.sources {
            let slug = crate::article::slug(name);
            if searcher.doc_freq(&self.source_term(&slug))? == 0 {
                notes.push(format!("no document from source {name:?} (slug {slug:?})"));
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
        let built = self.queries.build(&req.query, &filters, req.today)?;

        let collector = HitCollector {
            order: req.sort,
            keep: req.offset.saturating_add(req.limit),
            facets: req.facets,
            date_field: schema.get_field_name(self.fields.date).to_string(),
            source_facet_field: schema.get_field_name(self.fields.source_facet).to_string(),
        };
        let collected = searcher
            .search(&*built.query, &collector)
            .context("searching the index")?;
        if collected.total == 0 && !req.dates.is_empty() {
            notes.extend(self.dates_note(&searcher, req.dates));
        }
        let facets = match collected.facets {
            Some(raw) => Some(self.facets(&searcher, raw)?),
            None => None,
        };
        let results = SearchResults {
            total: collected.total,
            offset: req.offset,
            hits: Vec::new(),
            facets,
            notes,
        };
        Ok((
            Matched {
                searcher,
                built,
                cands: collected.candidates,
                window: fetch::Window {
                    order: req.sort,
                    offset: req.offset,
                    limit: req.limit,
                    chunk,
                },
            },
            results,
        ))
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
    fn facets(&self, searcher: &Searcher, raw: RawFacets) -> anyhow::Result<Facets> {
        let source_total = raw.sources.len() as u64;
        let sources = self.top_sources(searcher, raw.sources)?;
        let mut months: BTreeMap<(i32, u32), u64> = BTreeMap::new();
        for (day, count) in raw.days {
            if let Some(date) = Day::from_number(day).map(Day::date) {
                *months.entry((date.year(), date.month())).or_default() += count;
            }
        }
        Ok(Facets {
            sources,
            source_total,
            months: every_month(&months),
            undated: raw.undated,
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
        out.push(MonthCount { year, month, count });
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
