//! `newsfind index [PATH...]`: index or update an archive, reporting on stderr. A run over
//! a real archive warns about thousands of files: warnings are counted by reason in the
//! summary, with a few example paths, and every line goes to a report file (or to stderr
//! with `-v`); skipped files, which the index lacks, are always listed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::cli::IndexArgs;
use crate::index::ingest::{ingest, Event, IngestConfig, Summary};
use crate::output::{safe, thousands};

/// The archive indexed when no path is given.
pub const DEFAULT_ARCHIVE: &str = "data";
/// The report of a run's warnings, in the index folder.
const WARNINGS_FILE: &str = "warnings.txt";
/// Example paths shown per reason of warning.
const EXAMPLES: usize = 3;

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
        max_bytes: args.max_size << 20,
        follow_links: args.follow,
    };
    let bar = progress_bar(args.quiet);
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut report = Report::new(&cwd, config.index_dir.join(WARNINGS_FILE));
    let mut stderr = std::io::stderr();
    let mut on = |event: Event<'_>| match event {
        Event::Planned { to_read } => bar.set_length(to_read as u64),
        Event::Read(n) => bar.inc(n as u64),
        Event::Skipped { path, reason } => report.skipped(path, reason),
        Event::Warning { path, message } => {
            let line = report.warning(path, message);
            if args.verbose {
                bar.suspend(|| writeln!(stderr, "{line}").ok());
            }
        }
        Event::Note(note) => {
            if !args.quiet {
                bar.suspend(|| writeln!(stderr, "newsfind: {}", safe::one_line(note)).ok());
            }
        }
    };
    let result = ingest(&config, &mut on);
    bar.finish_and_clear();
    let mut err = std::io::stderr().lock();
    // Even a failed run lists what it skipped and warned about until then.
    let written = report.finish();
    match &result {
        Ok(summary) if !args.quiet => {
            print_summary(&mut err, summary, &config.index_dir)?;
            report.print_warnings(&mut err, written.as_ref(), args.verbose)?;
        }
        _ => {}
    }
    report.print_skipped(&mut err)?;
    let summary = match result {
        Ok(summary) => summary,
        Err(failure) => {
            // The run failed: a code of its own, so that a cron job can tell it from a run
            // that finished but skipped files.
            let message = format!("{failure:#}");
            writeln!(err, "newsfind: {}", safe::one_line(&message))?;
            return Ok(super::EXIT_FAILED);
        }
    };
    if let Some(url) = &to {
        super::cluster::sync_and_report(&config.index_dir, url, args.quiet)?;
    }
    Ok(if summary.skipped_total() > 0 {
        super::EXIT_SKIPPED
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
            "{spinner} indexing {bar:30} {human_pos}/{human_len} files  {rate}  eta {eta}",
        )
        .expect("the template is valid")
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}/s", thousands(state.per_sec().round() as u64));
            },
        ),
    );
    bar
}

/// What a run warned about and skipped, gathered for the summary.
struct Report {
    cwd: PathBuf,
    /// Warnings by reason: count, and the first few paths.
    reasons: BTreeMap<String, (u64, Vec<String>)>,
    warned_files: u64,
    last_warned: Option<PathBuf>,
    skipped: Vec<String>,
    /// Every warning line, to the report file (opened at the first warning).
    file_path: PathBuf,
    file: Option<std::io::Result<BufWriter<File>>>,
}

impl Report {
    fn new(cwd: &Path, file_path: PathBuf) -> Report {
        Report {
            cwd: cwd.to_path_buf(),
            reasons: BTreeMap::new(),
            warned_files: 0,
            last_warned: None,
            skipped: Vec::new(),
            file_path,
            file: None,
        }
    }

    /// A path as the user would type it (relative to the working directory when under
    /// it), safe to print.
    fn shown(&self, path: &Path) -> String {
        let path = path.strip_prefix(&self.cwd).unwrap_or(path);
        safe::one_line(&path.display().to_string()).into_owned()
    }

    fn skipped(&mut self, path: &Path, reason: &str) {
        let line = format!("{}: skipped: {}", self.shown(path), safe::one_line(reason));
        self.skipped.push(line);
    }

    /// Counts a warning and returns its line, `path: message`.
    fn warning(&mut self, path: &Path, message: &str) -> String {
        let shown = self.shown(path);
        if self.last_warned.as_deref() != Some(path) {
            self.warned_files += 1;
            self.last_warned = Some(path.to_path_buf());
        }
        let entry = self.reasons.entry(reason(message)).or_default();
        entry.0 += 1;
        if entry.1.len() < EXAMPLES {
            entry.1.push(shown.clone());
        }
        let line = format!("{shown}: {}", safe::one_line(message));
        let file = self.file.get_or_insert_with(|| {
            File::create(&self.file_path).map(|f| BufWriter::with_capacity(64 * 1024, f))
        });
        if let Ok(f) = file {
            if let Err(e) = writeln!(f, "{line}") {
                self.file = Some(Err(e));
            }
        }
        line
    }

    /// Closes the report file: its path when every line made it there. A run without
    /// warnings removes the report of an earlier run.
    fn finish(&mut self) -> Option<PathBuf> {
        match self.file.take() {
            Some(Ok(mut f)) => f.flush().ok().map(|_| self.file_path.clone()),
            Some(Err(_)) => None,
            None => {
                let _ = std::fs::remove_file(&self.file_path);
                None
            }
        }
    }

    fn print_warnings<W: Write>(
        &self,
        w: &mut W,
        file: Option<&PathBuf>,
        verbose: bool,
    ) -> std::io::Result<()> {
        if self.reasons.is_empty() {
            return Ok(());
        }
        let total: u64 = self.reasons.values().map(|r| r.0).sum();
        let mut rows: Vec<(&String, &(u64, Vec<String>))> = self.reasons.iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(b.0)));
        let whole = match (verbose, file) {
            (true, _) => String::new(),
            (false, Some(path)) => format!("; every line in {}", self.shown(path)),
            (false, None) => "; -v prints every line".to_string(),
        };
        writeln!(
            w,
            "{} in {}{whole}:",
            count(total, "warning", "warnings"),
            count(self.warned_files, "file", "files")
        )?;
        let width = rows
            .iter()
            .map(|r| thousands(r.1 .0).len())
            .max()
            .unwrap_or(0);
        for (reason, (n, examples)) in rows {
            writeln!(w, "  {:>width$}  {reason}", thousands(*n))?;
            for path in examples {
                writeln!(w, "  {:width$}  {path}", "")?;
            }
        }
        Ok(())
    }

    fn print_skipped<W: Write>(&self, w: &mut W) -> std::io::Result<()> {
        if self.skipped.is_empty() {
            return Ok(());
        }
        writeln!(
            w,
            "{} not in the index:",
            count(self.skipped.len() as u64, "file", "files")
        )?;
        for line in &self.skipped {
            writeln!(w, "  {line}")?;
        }
        Ok(())
    }
}

/// What warnings are counted by: the message with its quoted values left out
/// (`header date "None" is not a date` and `header date "2025-13-45" ...` are one reason).
fn reason(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"\u{2026}\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    safe::one_line(&out).into_owned()
}

/// `1 file`, `4,410 files`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn print_summary<W: Write>(w: &mut W, s: &Summary, index_dir: &Path) -> std::io::Result<()> {
    let n = |v: usize| thousands(v as u64);
    let secs = s.elapsed.as_secs_f64();
    let mb = s.bytes as f64 / 1e6;
    let skipped = if s.skipped.is_empty() {
        "0".to_string()
    } else {
        let parts: Vec<String> = s
            .skipped
            .iter()
            .map(|(k, v)| format!("{} {k}", n(*v)))
            .collect();
        format!("{} ({})", n(s.skipped_total()), parts.join(", "))
    };
    let touched = if s.touched > 0 {
        format!(" ({} touched, same content)", n(s.touched))
    } else {
        String::new()
    };
    writeln!(
        w,
        "{}: {} new, {} changed, {} unchanged{touched}, {} removed, {skipped} skipped",
        count(s.seen as u64, "file", "files"),
        n(s.new),
        n(s.changed),
        n(s.unchanged),
        n(s.removed)
    )?;
    writeln!(
        w,
        "wrote {} and {}; the index in {} holds {} and {}",
        count(s.articles as u64, "article", "articles"),
        count(s.teasers as u64, "teaser", "teasers"),
        safe::one_line(&index_dir.display().to_string()),
        count(s.total_articles, "article", "articles"),
        count(s.total_teasers, "teaser", "teasers")
    )?;
    writeln!(
        w,
        "read {mb:.1} MB in {secs:.2} s ({:.1} MB/s, {} files/s)",
        mb / secs.max(1e-9),
        thousands(((s.new + s.changed) as f64 / secs.max(1e-9)).round() as u64)
    )
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
        verbose: false,
        commit_every: 50_000,
        max_size: 10,
        follow: false,
        to: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_leave_values_out() {
        assert_eq!(
            reason("header date \"None\" is not a date: undated"),
            "header date \"\u{2026}\" is not a date: undated"
        );
        assert_eq!(reason("CRLF line endings"), "CRLF line endings");
        assert_eq!(reason("odd \x1b[2J"), "odd \u{241b}[2J");
    }

    #[test]
    fn warnings_are_counted_with_examples() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join("news");
        let mut report = Report::new(&cwd, dir.path().join(WARNINGS_FILE));
        for i in 0..5 {
            let path = cwd.join(format!("a/{i}.txt"));
            report.warning(&path, "header date \"None\" is not a date: undated");
            if i == 0 {
                report.warning(&path, "CRLF line endings");
            }
        }
        report.skipped(&cwd.join("b/\x1b]0;x.txt"), "empty: the file has no text");
        let file = report.finish();
        let mut out = Vec::new();
        report
            .print_warnings(&mut out, file.as_ref(), false)
            .unwrap();
        report.print_skipped(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let report_file = dir.path().join(WARNINGS_FILE);
        let want = format!(
            "6 warnings in 5 files; every line in {}:
  5  header date \"\u{2026}\" is not a date: undated
     a/0.txt
     a/1.txt
     a/2.txt
  1  CRLF line endings
     a/0.txt
1 file not in the index:
  b/\u{241b}]0;x.txt: skipped: empty: the file has no text
",
            report_file.display()
        );
        assert_eq!(text, want);
        let lines = std::fs::read_to_string(report_file).unwrap();
        assert_eq!(lines.lines().count(), 6);
        assert!(lines.starts_with("a/0.txt: header date \"None\" is not a date: undated\n"));
    }
}
