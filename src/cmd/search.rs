//! `newsfind search`: the command line to a [`SearchRequest`], the searcher, the printer.
//! With no index at the default place, indexes `data/` first.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

use super::index::DEFAULT_ARCHIVE;
use crate::cli::{ColorArg, FormatArg, IndexDirArg, KindArg, SearchArgs, SortArg};
use crate::output::{self, ColorWhen, Format, PathStyle};
use crate::search::{DateRange, DateSpan, KindFilter, SearchIndex, SearchRequest, SortOrder};

/// Where `newsfind search` looks for an index when not told.
const DEFAULT_INDEX: &str = "index";

pub fn run(args: SearchArgs) -> anyhow::Result<u8> {
    let today = today(args.today.as_deref())?;
    let request = request(&args, today)?;
    let results = match &args.remote {
        Some(url) => crate::cluster::search::search(url, &request)?,
        None => {
            ensure_index(&args.index)?;
            SearchIndex::open(&args.index.dir)?.search(&request)?
        }
    };
    for note in &results.notes {
        eprintln!("newsfind: {note}");
    }
    let mut out = output::stdout(output::use_color_on_stdout(color_when(args.color)));
    output::print_results(
        &mut out,
        &results,
        format(args.format),
        &PathStyle::from_env(),
    )?;
    out.flush()?;
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
    if let Some(v) = &args.since {
        dates = dates.intersect(DateRange::since(span("since", v)?));
    }
    if let Some(v) = &args.until {
        dates = dates.intersect(DateRange::until(span("until", v)?));
    }
    if let Some(v) = &args.on {
        dates = dates.intersect(DateRange::within(span("on", v)?));
    }
    Ok(SearchRequest {
        query: args.query.join(" "),
        dates,
        sources: args.sources.clone(),
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
        limit: args.limit,
        facets: args.facets,
        snippets: args.format != FormatArg::Paths,
        today,
    })
}

/// A fresh clone has no index yet: make one from `data/`, saying so, when the index is
/// the default one.
pub(super) fn ensure_index(index: &IndexDirArg) -> anyhow::Result<()> {
    let dir = &index.dir;
    if dir.join("meta.json").exists() {
        return Ok(());
    }
    if dir != Path::new(DEFAULT_INDEX) {
        anyhow::bail!(
            "no index at {}: make one with `newsfind index ARCHIVE --index {}`",
            dir.display(),
            dir.display()
        );
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
