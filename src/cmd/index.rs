//! `newsfind index [PATH...]`: index or update an archive, reporting on stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::IndexArgs;
use crate::index::ingest::{ingest, Event, IngestConfig, Summary};

/// The archive indexed when no path is given.
pub const DEFAULT_ARCHIVE: &str = "data";

pub fn run(args: IndexArgs) -> anyhow::Result<u8> {
    let to = args.to.clone();
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(DEFAULT_ARCHIVE)]
    } else {
        args.paths
    };
    let config = IngestConfig {
        roots,
        index_dir: args.index.dir,
        source: args.source,
        globs: args.globs,
        rebuild: args.rebuild,
        heap_bytes: (args.heap as usize) << 20,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        commit_every: args.commit_every,
    };
    let bar = progress_bar(args.quiet);
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut stderr = std::io::stderr();
    let mut on = |event: Event<'_>| match event {
        Event::Planned { to_read } => bar.set_length(to_read as u64),
        Event::Read(n) => bar.inc(n as u64),
        Event::Skipped { path, reason } => {
            bar.suspend(|| writeln!(stderr, "{}: skipped: {reason}", shown(path, &cwd)).ok());
        }
        Event::Warning { path, message } => {
            bar.suspend(|| writeln!(stderr, "{}: {message}", shown(path, &cwd)).ok());
        }
        Event::Note(note) => {
            bar.suspend(|| writeln!(stderr, "newsfind: {note}").ok());
        }
    };
    let summary = ingest(&config, &mut on)?;
    bar.finish_and_clear();
    if !args.quiet {
        print_summary(&summary, &config.index_dir);
    }
    if let Some(url) = &to {
        super::cluster::sync_and_report(&config.index_dir, url, args.quiet)?;
    }
    Ok(if summary.skipped_total() > 0 {
        super::EXIT_ERROR
    } else {
        super::EXIT_OK
    })
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} indexing {bar:30} {pos}/{len} files  {per_sec}  eta {eta}",
        )
        .expect("the template is valid"),
    );
    bar
}

/// A path as the user would type it: relative to the working directory when under it.
fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

fn print_summary(s: &Summary, index_dir: &Path) {
    let secs = s.elapsed.as_secs_f64();
    let mb = s.bytes as f64 / 1e6;
    let skipped = if s.skipped.is_empty() {
        "0".to_string()
    } else {
        let parts: Vec<String> = s.skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!("{} ({})", s.skipped_total(), parts.join(", "))
    };
    let touched = if s.touched > 0 {
        format!(" ({} touched, same content)", s.touched)
    } else {
        String::new()
    };
    eprintln!(
        "{} files: {} new, {} changed, {} unchanged{touched}, {} removed, {skipped} skipped",
        s.seen, s.new, s.changed, s.unchanged, s.removed
    );
    eprintln!(
        "wrote {} articles and {} teasers; the index in {} holds {} articles and {} teasers",
        s.articles,
        s.teasers,
        index_dir.display(),
        s.total_articles,
        s.total_teasers
    );
    eprintln!(
        "read {mb:.1} MB in {secs:.2} s ({:.1} MB/s, {:.0} files/s)",
        mb / secs.max(1e-9),
        (s.new + s.changed) as f64 / secs.max(1e-9)
    );
}

/// Indexes the default archive (`data/`) into `index`, as `newsfind index` with no
/// arguments would; used by a first search on a fresh clone.
pub fn index_default_archive(index: &crate::cli::IndexDirArg) -> anyhow::Result<u8> {
    run(IndexArgs {
        paths: Vec::new(),
        index: index.clone(),
        source: None,
        globs: vec!["*.txt".to_string()],
        rebuild: false,
        heap: 128,
        threads: None,
        quiet: false,
        commit_every: 50_000,
        to: None,
    })
}
