//! The only code that formats: search results, documents and index statistics as text
//! (coloured through termcolor), JSON, JSON lines or bare paths. Printers are generic over
//! `W: WriteColor`, so tests print into a `Vec<u8>` (wrapped in `termcolor::NoColor` or
//! `termcolor::Ansi`).

mod json;
mod stories;
mod text;

use std::io::{self, BufWriter};
use std::path::Path;

use termcolor::{Ansi, NoColor, WriteColor};

use crate::article::Teaser;
use crate::search::{Document, IndexStats, SearchResults, Similar};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Paths,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Whether to colour: always or never when told; else only on a terminal, and not when
/// `NO_COLOR` is set (to anything but the empty string) or `TERM` is `dumb`.
pub fn use_color(
    when: ColorWhen,
    stdout_is_terminal: bool,
    no_color: Option<&str>,
    term: Option<&str>,
) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            stdout_is_terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb")
        }
    }
}

/// [`use_color`] for this process's stdout and environment.
pub fn use_color_on_stdout(when: ColorWhen) -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var("NO_COLOR").ok();
    let term = std::env::var("TERM").ok();
    use_color(
        when,
        io::stdout().is_terminal(),
        no_color.as_deref(),
        term.as_deref(),
    )
}

/// Buffered stdout, with or without colour escapes. Flush it before exiting.
pub fn stdout(color: bool) -> Box<dyn WriteColor> {
    let out = BufWriter::with_capacity(64 * 1024, io::stdout());
    if color {
        Box::new(Ansi::new(out))
    } else {
        Box::new(NoColor::new(out))
    }
}

/// Where paths are shown from: the current directory, if known.
#[derive(Debug, Clone, Default)]
pub struct PathStyle {
    pub cwd: Option<std::path::PathBuf>,
}

impl PathStyle {
    pub fn from_env() -> PathStyle {
        PathStyle {
            cwd: std::env::current_dir().ok(),
        }
    }

    /// `path` relative to the current directory when it lies under it, else as is.
    pub fn show<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        if let Some(cwd) = &self.cwd {
            if let Ok(rel) = Path::new(path).strip_prefix(cwd) {
                if !rel.as_os_str().is_empty() {
                    return rel.display().to_string().into();
                }
            }
        }
        path.into()
    }
}

/// Prints a search's results.
pub fn print_results<W: WriteColor>(
    w: &mut W,
    results: &SearchResults,
    format: Format,
    paths: &PathStyle,
) -> io::Result<()> {
    match format {
        Format::Text => text::results(w, results, paths),
        Format::Json => json::results(w, results),
        Format::Jsonl => json::hits_lines(w, results),
        Format::Paths => {
            for hit in &results.hits {
                writeln!(w, "{}", paths.show(&hit.path))?;
            }
            Ok(())
        }
    }
}

/// Prints what `newsfind similar` found: the article it started from, then the results.
pub fn print_similar<W: WriteColor>(
    w: &mut W,
    similar: &Similar,
    format: Format,
    paths: &PathStyle,
) -> io::Result<()> {
    match format {
        Format::Json => stories::similar_json(w, similar),
        Format::Text => {
            stories::similar_head(w, similar, paths)?;
            text::results(w, &similar.results, paths)
        }
        Format::Jsonl | Format::Paths => print_results(w, &similar.results, format, paths),
    }
}

/// The teasers of a shown article's file, or why they are not shown.
pub type FileTeasers<'a> = Result<&'a [Teaser], &'a str>;

/// Prints one whole document (`newsfind show`); JSON for `Json` and `Jsonl`, else text.
pub fn print_document<W: WriteColor>(
    w: &mut W,
    doc: &Document,
    teasers: Option<FileTeasers<'_>>,
    format: Format,
    paths: &PathStyle,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl => json::document(w, doc, teasers),
        Format::Paths => writeln!(w, "{}", paths.show(&doc.path)),
        Format::Text => text::document(w, doc, teasers, paths),
    }
}

/// Prints what an index holds (`newsfind stats`); JSON for `Json` and `Jsonl`, else text.
pub fn print_stats<W: WriteColor>(
    w: &mut W,
    stats: &IndexStats,
    dir: &Path,
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl => json::stats(w, stats, dir),
        Format::Text | Format::Paths => text::stats(w, stats, dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_decisions() {
        use ColorWhen::*;
        assert!(use_color(Always, false, Some("1"), None));
        assert!(!use_color(Never, true, None, None));
        assert!(use_color(Auto, true, None, Some("xterm")));
        assert!(!use_color(Auto, false, None, None));
        assert!(!use_color(Auto, true, Some("1"), None));
        assert!(use_color(Auto, true, Some(""), None));
        assert!(!use_color(Auto, true, None, Some("dumb")));
    }

    #[test]
    fn paths_relative_under_cwd() {
        let style = PathStyle {
            cwd: Some("/home/me/news".into()),
        };
        assert_eq!(style.show("/home/me/news/data/a.txt"), "data/a.txt");
        assert_eq!(style.show("/elsewhere/a.txt"), "/elsewhere/a.txt");
        assert_eq!(
            style.show("/home/me/newsroom/a.txt"),
            "/home/me/newsroom/a.txt"
        );
        assert_eq!(PathStyle::default().show("/x/y"), "/x/y");
    }
}
