//! `newsfind search`: the command line to a [`SearchRequest`], the searcher, the printer.
//! With no index at the default place, indexes `data/` first.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

use super::index::DEFAULT_ARCHIVE;
use crate::cli::{ColorArg, FormatArg, IndexDirArg, KindArg, MatchArg, SearchArgs, SortArg};
use crate::output::{self, ColorWhen, Format, Layout, PathLines};
use crate::search::{
    DateRange, DateSpan, KindFilter, MatchStrategy, SearchIndex, SearchRequest, SortOrder,
};

/// Where `newsfind search` looks for an index when not told.
const DEFAULT_INDEX: &str = "index";
/// Hits printed for people (text, json) when `-n` is not given.
const DEFAULT_LIMIT: usize = 10;

pub fn run(args: SearchArgs) -> anyhow::Result<u8> {
    if args.null && args.format != FormatArg::Paths {
        let given = format!("{:?}", args.format).to_lowercase();
        anyhow::bail!("-0/--null ends the paths of `-f paths`; it does not go with -f {given}");
    }
    let today = today(args.filters.today.as_deref())?;
    let request = request(&args, today)?;
    let mut out = output::stdout(output::use_color_on_stdout(color_when(args.color)));
    let layout = Layout::for_stdout();
    let lines = PathLines {
        null: args.null,
        neutralise: std::io::stdout().is_terminal(),
    };
    // Machine formats stream: each hit is printed as soon as it is read.
    let mut printed = 0usize;
    // What the local index's folder says about itself (a cluster has no folder here).
    let mut status = Vec::new();
    let results = if let Some(url) = &args.remote {
        // A cluster answers a page at a time: printed once it is all there.
        let results = crate::cluster::search::search(url, &request)?;
        match args.format {
            FormatArg::Paths => {
                for hit in &results.hits {
                    output::print_path(&mut out, &hit.path, &layout, lines)?;
                }
            }
            FormatArg::Jsonl => {
                for hit in &results.hits {
                    output::print_hit_line(&mut out, hit)?;
                }
            }
            FormatArg::Text | FormatArg::Json => {
                output::print_results(&mut out, &results, format(args.format), &layout)?;
            }
        }
        printed = results.hits.len();
        results
    } else {
        ensure_index(&args.index)?;
        let index = SearchIndex::open(&args.index.dir)?;
        status = crate::index::dir::notes(&args.index.dir, index.searcher().num_docs());
        match args.format {
            FormatArg::Paths => index.search_paths(&request, |path| {
                printed += 1;
                Ok(output::print_path(&mut out, path, &layout, lines)?)
            })?,
            FormatArg::Jsonl => index.search_each(&request, |hit| {
                printed += 1;
                Ok(output::print_hit_line(&mut out, &hit)?)
            })?,
            FormatArg::Text | FormatArg::Json => {
                let results = index.search(&request)?;
                output::print_results(&mut out, &results, format(args.format), &layout)?;
                results
            }
        }
    };
    out.flush()?;
    for note in status.iter().chain(&results.notes) {
        eprintln!("newsfind: {}", output::safe::one_line(note));
    }
    let machine = matches!(args.format, FormatArg::Paths | FormatArg::Jsonl);
    let left_out = results.total.saturating_sub(printed as u64);
    if machine && left_out > 0 {
        eprintln!(
            "newsfind: printed {} of {} matches ({} left out; -n all prints every one)",
            output::thousands(printed as u64),
            output::thousands(results.total),
            output::thousands(left_out)
        );
    }
    Ok(if results.total > 0 {
        super::EXIT_OK
    } else {
        super::EXIT_NO_MATCH
    })
}

/// The day relative dates count from: `--today`/`NEWSFIND_TODAY`, else the local date.
pub(crate) fn today(given: Option<&str>) -> anyhow::Result<NaiveDate> {
    match given {
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .with_context(|| format!("--today / NEWSFIND_TODAY: {s:?} is not a YYYY-MM-DD date")),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

/// The search the arguments ask for.
pub(crate) fn request(args: &SearchArgs, today: NaiveDate) -> anyhow::Result<SearchRequest> {
    let span = |flag: &str, value: &str| {
        DateSpan::parse(value, today).with_context(|| format!("--{flag} {value:?}"))
    };
    let mut dates = DateRange::any();
    if let Some(v) = &args.filters.since {
        dates = dates.intersect(DateRange::since(span("since", v)?));
    }
    if let Some(v) = &args.filters.until {
        dates = dates.intersect(DateRange::until(span("until", v)?));
    }
    if let Some(v) = &args.filters.on {
        dates = dates.intersect(DateRange::within(span("on", v)?));
    }
    Ok(SearchRequest {
        query: args.query.join(" "),
        matching: args.matching.map(|m| match m {
            MatchArg::All => MatchStrategy::All,
            MatchArg::Most => MatchStrategy::Most,
            MatchArg::Any => MatchStrategy::Any,
        }),
        dates,
        sources: args.filters.sources.clone(),
        kind: match args.kind {
            KindArg::Article => KindFilter::Article,
            KindArg::Teaser => KindFilter::Teaser,
            KindArg::All => KindFilter::All,
        },
        sort: match args.sort {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Newest => SortOrder::Newest,
            SortArg::Oldest => SortOrder::Oldest,
        },
        offset: args.offset,
        limit: args.limit.unwrap_or(match args.format {
            // Made for pipes: every match, as `rg -l` lists every file.
            FormatArg::Paths | FormatArg::Jsonl => usize::MAX,
            FormatArg::Text | FormatArg::Json => DEFAULT_LIMIT,
        }),
        facets: args.facets,
        collapse: !args.copies,
        snippets: args.format != FormatArg::Paths,
        // Text lists copies by source, paths none.
        copy_details: matches!(args.format, FormatArg::Json | FormatArg::Jsonl),
        today,
    })
}

/// A fresh clone has no index yet: make one from `data/`, saying so, when the index is
/// the default one.
pub(super) fn ensure_index(index: &IndexDirArg) -> anyhow::Result<()> {
    let dir = &index.dir;
    // Anywhere else, opening the index says why there is none.
    if dir.join("meta.json").exists() || dir != Path::new(DEFAULT_INDEX) {
        return Ok(());
    }
    if !Path::new(DEFAULT_ARCHIVE).is_dir() {
        anyhow::bail!("no index at {DEFAULT_INDEX}/ and no {DEFAULT_ARCHIVE}/ to index: run `newsfind index ARCHIVE` first");
    }
    eprintln!("newsfind: no index at {DEFAULT_INDEX}/, indexing {DEFAULT_ARCHIVE}/ first");
    super::index::index_default_archive(index)?;
    if !dir.join("meta.json").exists() {
        anyhow::bail!(
            "indexing {DEFAULT_ARCHIVE}/ made no index at {}",
            dir.display()
        );
    }
    Ok(())
}

pub(super) fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Paths => Format::Paths,
    }
}

pub(super) fn color_when(c: ColorArg) -> ColorWhen {
    match c {
        ColorArg::Auto => ColorWhen::Auto,
        ColorArg::Always => ColorWhen::Always,
        ColorArg::Never => ColorWhen::Never,
    }
}
