//! A search on the cluster's head: the request translated to SphinxQL, the hits, total,
//! snippets (`CALL SNIPPETS`) and facets (`GROUP BY`) read back into the same
//! [`SearchResults`] a local search makes, so `crate::output` prints them unchanged.
//!
//! Ranking is Sphinx's BM25F with the title weighing twice, the local weighting; scores
//! are not the same numbers as tantivy's (and each shard counts its own word
//! frequencies), so equal scores and close calls may order differently.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{Datelike, NaiveDate};

use super::client::{Node, Table};
use super::config::{DISTRIBUTED_INDEX, SNIPPET_INDEX};
use super::document::{self, quote, KIND_ARTICLE_NO, KIND_TEASER_NO};
use super::translate::{translate, Translated};
use super::ClusterUrl;
use crate::index::day::Day;
use crate::search::{
    every_month, lead, one_line, DateRange, DocKind, Facets, Hit, KindFilter, MatchStrategy,
    Matching, SearchRequest, SearchResults, Snippet, SnippetSource, SortOrder, SourceCount,
    TeaserStats, SNIPPET_BYTES, TOP_SOURCES,
};

/// Sphinx keeps the best `max_matches` of a query (1000 by default); deeper pages and
/// facets with many groups ask for more.
const MIN_MAX_MATCHES: usize = 1000;
/// Texts per `CALL SNIPPETS`.
const SNIPPET_CHUNK: usize = 100;
/// Documents looked at for a source's display name.
const NAME_LOOKS: usize = 8;
/// Most hits one remote search returns (`-n all` included): Sphinx keeps `offset + limit`
/// matches in memory per shard.
const MAX_HITS: usize = 10_000;
/// Groups a facet query may return (sources, months).
const FACET_GROUPS: usize = 20_000;
/// BM25F with the title weighing twice; scaled to integers, as Sphinx's weights are.
const RANKER: &str = "expr('10000*bm25f(1.2,0.75,{title=2})')";
const WEIGHT_SCALE: f32 = 10_000.0;
/// Markers of a highlighted word and of a cut in `CALL SNIPPETS` output. Documents never
/// carry them: the sync drops them (see [`document::quote`]).
const MARK_ON: char = '\u{2}';
const MARK_OFF: char = '\u{3}';
const CUT: char = '\u{1f}';
/// Words of context around a match in a snippet (Sphinx's default, 5, makes passages
/// much shorter than the local ones).
const AROUND: usize = 20;

/// Runs a search on the cluster whose head answers at `url`.
pub fn search(url: &ClusterUrl, req: &SearchRequest) -> anyhow::Result<SearchResults> {
    if let Some(strategy @ (MatchStrategy::Most | MatchStrategy::Any)) = req.matching {
        anyhow::bail!(
            "--match {} is not translated for the cluster, which requires every word; \
             leave it out or use OR between the words",
            strategy.name()
        );
    }
    let translated = translate(&req.query, req.today)?;
    let matching = Matching {
        strategy: MatchStrategy::All,
        words: translated.words,
        required: translated.words,
        fell_back: false,
        with_all: 0,
    };
    let mut head = Node::connect("head", &url.host, url.port)?;
    let mut notes = Vec::new();
    let mut slugs: Vec<String> = Vec::new();
    for name in &req.sources {
        let slug = crate::article::slug(name);
        let probe = format!(
            "SELECT id FROM {DISTRIBUTED_INDEX} WHERE source_key = {} LIMIT 1",
            document::source_key(&slug)
        );
        if head.query(&probe)?.rows.is_empty() {
            notes.push(format!("no document from source {name:?} (slug {slug:?})"));
        }
        if !slugs.contains(&slug) {
            slugs.push(slug);
        }
    }
    let dates = req.dates.intersect(translated.dates);
    if req.dates.is_empty() || dates.is_empty() {
        notes.push("the date filters leave no day to search".to_string());
        return Ok(SearchResults {
            total: 0,
            stories: 0,
            offset: req.offset,
            hits: Vec::new(),
            facets: req.facets.then(|| Facets {
                sources: Vec::new(),
                source_total: 0,
                months: Vec::new(),
                undated: 0,
                undated_stories: None,
            }),
            notes,
            matching,
            suggestion: None,
        });
    }
    let filter = where_clause(&translated, dates, &slugs, req.kind);
    let ranker = if translated.text.is_empty() {
        String::new()
    } else {
        format!(", ranker={RANKER}")
    };
    let limit = req.limit.min(MAX_HITS);
    let max_matches = req.offset.saturating_add(limit).max(MIN_MAX_MATCHES);
    let sql = format!(
        "SELECT id, doc_id, kind, path, title_text, body_text, captions_text, source_slug, \
         source_name, dated, day, title_key, seen_count, last_dated, last_day, truncated, \
         WEIGHT() AS w FROM {DISTRIBUTED_INDEX} WHERE {filter} ORDER BY {order} \
         LIMIT {offset}, {limit} OPTION max_matches={max_matches}{ranker}",
        order = order_by(req.sort),
        offset = req.offset,
    );
    let table = head.query(&sql).context("searching the cluster")?;
    let total = total_found(&mut head)?;
    if limit < req.limit && total > req.offset.saturating_add(limit) as u64 {
        notes.push(format!(
            "the cluster returns at most {MAX_HITS} hits a search: page with --offset"
        ));
    }
    let mut hits = hits(&table)?;
    if req.snippets && !hits.is_empty() {
        add_snippets(&mut head, &mut hits, &table, &translated)?;
    }
    if !hits.is_empty() {
        add_seen_as_teaser(&mut head, &mut hits, &table)?;
    }
    let facets = if req.facets {
        Some(facets(&mut head, &filter)?)
    } else {
        None
    };
    Ok(SearchResults {
        total,
        // The cluster has no stories: each match is its own.
        stories: total,
        offset: req.offset,
        hits,
        facets,
        notes,
        matching,
        suggestion: None,
    })
}

/// Whether the cluster can run the request's query (see [`translate`]).
pub fn translatable(req: &SearchRequest) -> bool {
    translate(&req.query, req.today).is_ok()
}

/// The `WHERE` of a search: the text, then the filters (which do not change weights).
fn where_clause(t: &Translated, dates: DateRange, slugs: &[String], kind: KindFilter) -> String {
    let mut parts = Vec::new();
    if !t.text.is_empty() {
        parts.push(format!("MATCH({})", quote(&t.text)));
    }
    if dates.is_bounded() {
        parts.push("dated = 1".to_string());
        // Out of the days an index holds: the nearest end.
        let day = |d: NaiveDate| {
            Day::from_date(d).map_or(if d.year() < 1 { 0 } else { i64::MAX }, Day::number)
        };
        if let Some(from) = dates.from {
            parts.push(format!("day >= {}", day(from)));
        }
        if let Some(to) = dates.to {
            parts.push(format!("day <= {}", day(to)));
        }
    }
    if !slugs.is_empty() {
        let keys: Vec<String> = slugs
            .iter()
            .map(|s| document::source_key(s).to_string())
            .collect();
        parts.push(format!("source_key IN ({})", keys.join(", ")));
    }
    parts.push(match kind {
        KindFilter::Article => format!("kind = {KIND_ARTICLE_NO}"),
        KindFilter::Teaser => format!("kind = {KIND_TEASER_NO}"),
        // A teaser with the title of an indexed article is folded into it.
        KindFilter::All => "folded = 0".to_string(),
    });
    parts.join(" AND ")
}

/// The local order: the sort key, then the other, then the path (Sphinx allows five keys).
fn order_by(sort: SortOrder) -> &'static str {
    match sort {
        SortOrder::Relevance => "w DESC, dated DESC, day DESC, path ASC",
        SortOrder::Newest => "dated DESC, day DESC, w DESC, path ASC",
        SortOrder::Oldest => "dated DESC, day ASC, w DESC, path ASC",
    }
}

/// The number of matches, from `SHOW META`. A shard that did not answer makes the head
/// answer with the others and a warning: that is an error here, not a smaller total.
fn total_found(head: &mut Node) -> anyhow::Result<u64> {
    let meta = head.query("SHOW META")?;
    if let Some(warning) = meta
        .rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("warning"))
        .and_then(|r| r.get(1))
    {
        anyhow::bail!("the cluster answered only in part ({warning}): is every shard running?");
    }
    meta.rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("total_found"))
        .and_then(|r| r.get(1)?.parse().ok())
        .context("the cluster did not say how many documents matched (SHOW META)")
}

/// The hits of a result table, without snippets yet.
fn hits(table: &Table) -> anyhow::Result<Vec<Hit>> {
    // An empty result may come without its columns.
    if table.rows.is_empty() {
        return Ok(Vec::new());
    }
    let col = |name: &str| table.column(name);
    let (doc_id, kind, path, title) = (
        col("doc_id")?,
        col("kind")?,
        col("path")?,
        col("title_text")?,
    );
    let (slug, name, dated, day) = (
        col("source_slug")?,
        col("source_name")?,
        col("dated")?,
        col("day")?,
    );
    let (seen, last_dated, last_day, truncated, weight) = (
        col("seen_count")?,
        col("last_dated")?,
        col("last_day")?,
        col("truncated")?,
        col("w")?,
    );
    let int = |row: &[String], i: usize| row[i].parse::<i64>().unwrap_or(0);
    let date = |row: &[String], flag: usize, value: usize| {
        (int(row, flag) == 1)
            .then(|| Day::from_number(int(row, value)).map(Day::date))
            .flatten()
    };
    Ok(table
        .rows
        .iter()
        .map(|row| {
            let kind = if int(row, kind) == KIND_TEASER_NO {
                DocKind::Teaser
            } else {
                DocKind::Article
            };
            Hit {
                id: row[doc_id].clone(),
                kind,
                title: row[title].clone(),
                date: date(row, dated, day),
                source: row[name].clone(),
                source_slug: row[slug].clone(),
                path: row[path].clone(),
                score: int(row, weight) as f32 / WEIGHT_SCALE,
                snippet: None,
                title_highlights: Vec::new(),
                teaser: (kind == DocKind::Teaser).then(|| TeaserStats {
                    seen_count: int(row, seen).max(0) as u64,
                    last_seen: date(row, last_dated, last_day),
                    truncated: int(row, truncated) == 1,
                }),
                seen_as_teaser: None,
                story: None,
            }
        })
        .collect())
}

/// Snippets as the local search makes them: the best passage of the body, else of the
/// captions, else the title when there is no body, else the start of the body.
fn add_snippets(
    head: &mut Node,
    hits: &mut [Hit],
    table: &Table,
    t: &Translated,
) -> anyhow::Result<()> {
    let captions_col = table.column("captions_text")?;
    let body_col = table.column("body_text")?;
    let bodies: Vec<&str> = table.rows.iter().map(|r| r[body_col].as_str()).collect();
    let title_col = table.column("title_text")?;
    let titles: Vec<&str> = table.rows.iter().map(|r| r[title_col].as_str()).collect();
    let body_marked = call_snippets(head, &bodies, &t.highlight.body, SNIPPET_BYTES)?;
    let title_marked = call_snippets(head, &titles, &t.highlight.title, 0)?;
    for (i, hit) in hits.iter_mut().enumerate() {
        let row = &table.rows[i];
        let body = row[body_col].as_str();
        if let Some(Some(marked)) = title_marked.get(i) {
            hit.title_highlights = parse_marked(marked).1;
        }
        let mut snippet = body_marked
            .get(i)
            .cloned()
            .flatten()
            .map(|m| snippet_of(&m, SnippetSource::Body));
        if snippet.is_none() && !row[captions_col].is_empty() {
            let marked = call_snippets(
                head,
                &[row[captions_col].as_str()],
                &t.highlight.captions,
                SNIPPET_BYTES,
            )?;
            snippet = marked
                .into_iter()
                .next()
                .flatten()
                .map(|m| snippet_of(&m, SnippetSource::Captions));
        }
        if snippet.is_none() && body.trim().is_empty() && !hit.title_highlights.is_empty() {
            snippet = Some(one_line(
                &hit.title,
                &hit.title_highlights,
                SnippetSource::Title,
                false,
                false,
            ));
        }
        hit.snippet = Some(snippet.unwrap_or_else(|| {
            let start = lead(body, SNIPPET_BYTES);
            one_line(
                start,
                &[],
                SnippetSource::Lead,
                false,
                start.len() < body.len(),
            )
        }));
    }
    Ok(())
}

/// `CALL SNIPPETS` over texts: each text with its matches marked, or `None` where
/// nothing matched. `length`: of the passage, in characters (0: the whole text).
fn call_snippets(
    head: &mut Node,
    texts: &[&str],
    terms: &[String],
    length: usize,
) -> anyhow::Result<Vec<Option<String>>> {
    if terms.is_empty() || texts.is_empty() {
        return Ok(vec![None; texts.len()]);
    }
    let mut out: Vec<Option<String>> = Vec::with_capacity(texts.len());
    // A few statements of bounded size rather than one per page of hits.
    for chunk in texts.chunks(SNIPPET_CHUNK) {
        let docs: Vec<String> = chunk.iter().map(|t| quote(t)).collect();
        let sql = format!(
            "CALL SNIPPETS(({docs}), '{SNIPPET_INDEX}', {query}, '{MARK_ON}' AS before_match, \
             '{MARK_OFF}' AS after_match, '{CUT}' AS chunk_separator, {length} AS limit, \
             1 AS limit_passages, {AROUND} AS around, 1 AS allow_empty, 1 AS query_mode, \
             'none' AS html_strip_mode)",
            docs = docs.join(", "),
            query = quote(&terms.join(" | ")),
        );
        let table = head.query(&sql).context("making snippets on the cluster")?;
        let mut marked: Vec<Option<String>> = table
            .rows
            .into_iter()
            .map(|r| r.into_iter().next().filter(|s| s.contains(MARK_ON)))
            .collect();
        marked.resize(chunk.len(), None);
        out.extend(marked);
    }
    Ok(out)
}

/// A marked passage as a [`Snippet`] on one line.
fn snippet_of(marked: &str, source: SnippetSource) -> Snippet {
    let cut_before = marked.starts_with(CUT);
    let cut_after = marked.len() > 1 && marked.ends_with(CUT);
    let (text, highlights) = parse_marked(marked.trim_matches(CUT));
    one_line(text.trim(), &highlights, source, cut_before, cut_after)
}

/// Text without markers, and the byte ranges that were between them.
fn parse_marked(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut start = None;
    for c in marked.chars() {
        match c {
            MARK_ON => start = Some(text.len()),
            MARK_OFF => {
                if let Some(s) = start.take() {
                    if s < text.len() {
                        ranges.push((s, text.len()));
                    }
                }
            }
            // A passage cut inside the text: one space stands for the gap.
            CUT => text.push(' '),
            c => text.push(c),
        }
    }
    (text, ranges)
}

/// Articles: in how many files their title was seen as a teaser (from the teaser's
/// document, as locally).
fn add_seen_as_teaser(head: &mut Node, hits: &mut [Hit], table: &Table) -> anyhow::Result<()> {
    let key_col = table.column("title_key")?;
    let keys: Vec<&str> = hits
        .iter()
        .zip(&table.rows)
        .filter(|(h, _)| h.kind == DocKind::Article)
        .map(|(_, r)| r[key_col].as_str())
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT title_key, seen_count FROM {DISTRIBUTED_INDEX} WHERE kind = {KIND_TEASER_NO} \
         AND title_key IN ({}) LIMIT {}",
        keys.join(", "),
        keys.len()
    );
    let found = head.query(&sql)?;
    let seen: HashMap<&str, u64> = found
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].parse().unwrap_or(0)))
        .collect();
    for (hit, row) in hits.iter_mut().zip(&table.rows) {
        if hit.kind == DocKind::Article {
            hit.seen_as_teaser = seen.get(row[key_col].as_str()).copied();
        }
    }
    Ok(())
}

/// Counts by source and by month of every match, shaped as a local search shapes them.
fn facets(head: &mut Node, filter: &str) -> anyhow::Result<Facets> {
    let group = |column: &str| {
        format!(
            "SELECT {column}, COUNT(*) AS c FROM {DISTRIBUTED_INDEX} WHERE {filter} \
             GROUP BY {column} LIMIT {FACET_GROUPS} OPTION max_matches={FACET_GROUPS}"
        )
    };
    let mut counts: Vec<(String, u64)> = head
        .query(&group("source_slug"))?
        .rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap_or(0)))
        .collect();
    let source_total = counts.len() as u64;
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(TOP_SOURCES);
    let mut sources = Vec::with_capacity(counts.len());
    for (slug, count) in counts {
        sources.push(SourceCount {
            name: source_name(head, &slug)?,
            slug,
            count,
            // The cluster holds no story ids.
            stories: None,
        });
    }
    let mut months = BTreeMap::new();
    let mut undated = 0;
    for row in head.query(&group("month"))?.rows {
        let (month, count): (i64, u64) = (row[0].parse()?, row[1].parse()?);
        if month == 0 {
            undated += count;
        } else {
            months.insert(((month / 100) as i32, (month % 100) as u32), count);
        }
    }
    Ok(Facets {
        sources,
        source_total,
        months: every_month(&months),
        undated,
        undated_stories: None,
    })
}

/// A source's display name as its documents have it: the first of a few that is not
/// just the slug (files named by their folder have only the slug), else the slug.
fn source_name(head: &mut Node, slug: &str) -> anyhow::Result<String> {
    let sql = format!(
        "SELECT source_name FROM {DISTRIBUTED_INDEX} WHERE source_key = {} LIMIT {NAME_LOOKS}",
        document::source_key(slug)
    );
    Ok(head
        .query(&sql)?
        .rows
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .find(|name| !name.is_empty() && name != slug)
        .unwrap_or_else(|| slug.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_passages() {
        let (text, ranges) = parse_marked("a \u{2}Café\u{3} b \u{2}x\u{3}");
        assert_eq!(text, "a Café b x");
        assert_eq!(ranges, [(2, 7), (10, 11)]);
        let s = snippet_of(
            "\u{1f}the \u{2}war\u{3} in\n\nKyiv\u{1f}",
            SnippetSource::Body,
        );
        assert_eq!(s.text, "the war in Kyiv");
        assert_eq!(s.highlights, [(4, 7)]);
        assert!(s.cut_before && s.cut_after);
    }

    #[test]
    fn filters() {
        let t = translate(
            "ukraine date:2025",
            NaiveDate::from_ymd_opt(2025, 2, 6).unwrap(),
        )
        .unwrap();
        let w = where_clause(&t, t.dates, &["bbc-news".into()], KindFilter::All);
        assert!(w.starts_with("MATCH('(@(title,body,captions,byline) ukraine)') AND dated = 1"));
        let day = |m, d| Day::from_date(NaiveDate::from_ymd_opt(2025, m, d).unwrap()).unwrap();
        let want = format!(
            "day >= {} AND day <= {}",
            day(1, 1).number(),
            day(12, 31).number()
        );
        assert!(w.contains(&want), "{w}");
        assert!(w.contains("source_key IN ("));
        assert!(w.ends_with("folded = 0"));
    }
}
