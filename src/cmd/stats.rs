//! `newsfind stats`: what the index holds.

use std::io::Write;

use crate::cli::StatsArgs;
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
    output::print_stats(&mut out, &stats, dir, super::search::format(args.format))?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
