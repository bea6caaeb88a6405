//! The searcher: query building, date parsing, filters, ranking, snippets and facets over
//! an index, handed back as plain data ([`SearchResults`], [`Hit`], [`Facets`]). It prints
//! nothing; `crate::output` decides how results look.

mod collect;
mod dates;
mod document;
mod marks;
mod query;
mod snippet;
mod stats;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::index::docs;
use crate::index::schema::{open_index, Fields, KIND_TEASER};
pub use collect::SortOrder;
use collect::{compare, Candidate, HitCollector, RawFacets};
pub use dates::{DateRange, DateSpan};
pub use document::{is_doc_id, Document};
pub(crate) use query::parse_user_query;
use query::QueryBuilder;
pub use query::{Filters, KindFilter, QueryError};
use snippet::SnippetMaker;
pub(crate) use snippet::{lead, one_line, SNIPPET_BYTES};
pub use snippet::{Snippet, SnippetSource};
pub use stats::{IndexStats, SourceCount};

/// Sources listed in the facets.
pub const TOP_SOURCES: usize = 10;
/// Tied hits ordered by path at most; beyond, index order (reading every path of a huge
/// tie, e.g. `*` over undated documents, would cost more than it is worth).
const MAX_TIE_GROUP: usize = 2_000;

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

    fn from_stored(kind: Option<&str>) -> DocKind {
        if kind == Some(KIND_TEASER) {
            DocKind::Teaser
        } else {
            DocKind::Article
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

    /// Runs one search.
    pub fn search(&self, req: &SearchRequest) -> anyhow::Result<SearchResults> {
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
        let window = self.window(
            &searcher,
            req.sort,
            collected.candidates,
            req.offset,
            req.limit,
        )?;
        let snippets = if req.snippets && !window.is_empty() {
            Some(SnippetMaker::new(
                &searcher,
                &*built.query,
                &built.prefixes,
                &self.fields,
            )?)
        } else {
            None
        };
        let hits = window
            .into_iter()
            .map(|(c, doc)| self.hit(&searcher, &c, &doc, snippets.as_ref()))
            .collect::<anyhow::Result<Vec<Hit>>>()?;
        let facets = collected.facets.map(|raw| self.facets(raw));
        Ok(SearchResults {
            total: collected.total,
            offset: req.offset,
            hits,
            facets,
            notes,
        })
    }

    fn source_term(&self, slug: &str) -> Term {
        Term::from_facet(self.fields.source_facet, &Facet::from_path([slug]))
    }

    /// The hits from `offset` on, at most `limit`, with their stored documents. Candidates
    /// come sorted; those the sort cannot tell apart are ordered here by path.
    fn window(
        &self,
        searcher: &Searcher,
        order: SortOrder,
        mut cands: Vec<Candidate>,
        offset: usize,
        limit: usize,
    ) -> anyhow::Result<Vec<(Candidate, TantivyDocument)>> {
        let end = offset.saturating_add(limit).min(cands.len());
        if offset >= end {
            return Ok(Vec::new());
        }
        let mut docs: HashMap<DocAddress, TantivyDocument> = HashMap::new();
        let mut i = 0;
        while i < end {
            let mut j = i + 1;
            while j < cands.len() && compare(order, &cands[i], &cands[j]) == Ordering::Equal {
                j += 1;
            }
            if j - i > 1 && j > offset && j - i <= MAX_TIE_GROUP {
                let mut keyed = Vec::with_capacity(j - i);
                for c in &cands[i..j] {
                    let doc: TantivyDocument = searcher.doc(c.addr)?;
                    keyed.push((self.text(&doc, self.fields.path).to_string(), *c));
                    docs.insert(c.addr, doc);
                }
                keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.addr.cmp(&b.1.addr)));
                for (slot, (_, c)) in cands[i..j].iter_mut().zip(keyed) {
                    *slot = c;
                }
            }
            i = j;
        }
        cands[offset..end]
            .iter()
            .map(|c| {
                let doc = match docs.remove(&c.addr) {
                    Some(doc) => doc,
                    None => searcher.doc(c.addr)?,
                };
                Ok((*c, doc))
            })
            .collect()
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
        let f = &self.fields;
        let kind = DocKind::from_stored(doc.get_first(f.kind).and_then(|v| v.as_str()));
        let title = self.text(doc, f.title).to_string();
        let teaser = (kind == DocKind::Teaser).then(|| teaser_stats(doc, f));
        let seen_as_teaser = match kind {
            DocKind::Article => self.teaser_seen_count(searcher, &title)?,
            DocKind::Teaser => None,
        };
        Ok(Hit {
            id: self.text(doc, f.id).to_string(),
            kind,
            date: c.date.and_then(dates::day_of_secs),
            source: self.text(doc, f.source_name).to_string(),
            source_slug: stored_slug(doc, f),
            path: self.text(doc, f.path).to_string(),
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

    /// Facets in order. Sources go by slug: display names may differ between the files of
    /// one source, and looking one up costs a stored document per source.
    fn facets(&self, raw: RawFacets) -> Facets {
        let sources = top_sources(raw.sources);
        let mut months: BTreeMap<(i32, u32), u64> = BTreeMap::new();
        for (day, count) in raw.days {
            if let Some(date) = dates::day_of_secs(day * 86_400) {
                *months.entry((date.year(), date.month())).or_default() += count;
            }
        }
        let months = months
            .into_iter()
            .map(|((year, month), count)| MonthCount { year, month, count })
            .collect();
        Facets {
            sources,
            months,
            undated: raw.undated,
        }
    }
}

/// The [`TOP_SOURCES`] sources with most documents, most first (ties by slug).
pub(crate) fn top_sources(counts: HashMap<String, u64>) -> Vec<SourceCount> {
    let mut sources: Vec<SourceCount> = counts
        .into_iter()
        .map(|(slug, count)| SourceCount { slug, count })
        .collect();
    sources.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
    sources.truncate(TOP_SOURCES);
    sources
}

fn teaser_stats(doc: &TantivyDocument, f: &Fields) -> TeaserStats {
    TeaserStats {
        seen_count: doc
            .get_first(f.seen_count)
            .and_then(|v| v.as_u64())
            .unwrap_or(1),
        last_seen: doc
            .get_first(f.last_seen)
            .and_then(|v| v.as_datetime())
            .and_then(|d| dates::day_of_secs(d.into_timestamp_secs())),
        truncated: doc
            .get_first(f.truncated)
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    }
}

/// The slug of a stored source facet (`/slug`).
fn stored_slug(doc: &TantivyDocument, f: &Fields) -> String {
    let Some(encoded) = doc.get_first(f.source_facet).and_then(|v| v.as_facet()) else {
        return String::new();
    };
    let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).unwrap_or_else(|_| Facet::root());
    match facet.to_path().first() {
        Some(slug) => slug.trim_start_matches('/').to_string(),
        None => String::new(),
    }
}
