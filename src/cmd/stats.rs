//! `newsfind stats` and `newsfind sources`: what the index holds.

use std::io::Write;

use crate::cli::{ReportFormatArg, SourcesArgs, StatsArgs};
use crate::output::{self, ColorWhen};
use crate::search::SearchIndex;

pub fn run(args: StatsArgs) -> anyhow::Result<u8> {
    let dir = &args.index.dir;
    let index = SearchIndex::open(dir)?;
    let stats = index.stats(dir)?;
    for note in crate::index::dir::notes(dir, stats.documents) {
        eprintln!("newsfind: {note}");
    }
    let mut out = output::stdout(output::use_color_on_stdout(ColorWhen::Auto));
    let json = args.format == ReportFormatArg::Json;
    output::print_stats(&mut out, &stats, dir, json)?;
    out.flush()?;
    Ok(super::EXIT_OK)
}

pub fn sources(args: SourcesArgs) -> anyhow::Result<u8> {
    let index = SearchIndex::open(&args.index.dir)?;
    let sources = index.sources()?;
    let mut out = output::stdout(output::use_color_on_stdout(ColorWhen::Auto));
    let json = args.format == ReportFormatArg::Json;
    output::print_sources(&mut out, &sources, json)?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
