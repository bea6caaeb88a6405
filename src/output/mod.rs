//! The only code that formats: search results, documents and index statistics as text
//! (coloured through termcolor), JSON, JSON lines or bare paths. Printers are generic over
//! `W: WriteColor`, so tests print into a `Vec<u8>` (wrapped in `termcolor::NoColor` or
//! `termcolor::Ansi`).

mod json;
mod pager;
pub mod safe;
mod text;
mod wrap;

use std::io::{self, BufWriter, Write};
use std::path::Path;

use termcolor::{Ansi, NoColor, WriteColor};

use crate::article::Teaser;
use crate::search::{Document, Hit, IndexStats, SearchResults, SourceSummary};
pub use pager::Pager;
pub use text::thousands;

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

/// What `print` writes, with or without colour escapes, as bytes (for a pager).
pub fn to_bytes(
    color: bool,
    print: impl FnOnce(&mut dyn WriteColor) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if color {
        print(&mut Ansi::new(&mut buf))?;
    } else {
        print(&mut NoColor::new(&mut buf))?;
    }
    Ok(buf)
}

/// How text is laid out: paths relative to the current directory, lines wrapped to the
/// terminal's width.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Paths under it are shown relative to it.
    pub cwd: Option<std::path::PathBuf>,
    /// Columns to wrap text at; `None` (a pipe): no wrapping.
    pub width: Option<usize>,
}

/// Widest text people read comfortably; wider terminals wrap here (as `--help` does).
pub const MAX_WIDTH: usize = 100;

impl Layout {
    /// For this process's stdout: the current directory, and the terminal's width (at
    /// most [`MAX_WIDTH`]) when stdout is a terminal.
    pub fn for_stdout() -> Layout {
        Layout {
            cwd: std::env::current_dir().ok(),
            width: wrap::stdout_width().map(|w| w.min(MAX_WIDTH)),
        }
    }

    /// `path` relative to the current directory when it lies under it, else as is; made
    /// safe for the terminal.
    pub fn show<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        match self.relative(path) {
            std::borrow::Cow::Borrowed(p) => safe::one_line(p),
            std::borrow::Cow::Owned(p) => safe::one_line(&p).into_owned().into(),
        }
    }

    /// `path` relative to the current directory when it lies under it, else as is.
    fn relative<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        if let Some(cwd) = &self.cwd {
            if let Ok(rel) = Path::new(path).strip_prefix(cwd) {
                if !rel.as_os_str().is_empty() {
                    return rel.to_string_lossy().into_owned().into();
                }
            }
        }
        path.into()
    }
}

/// How `--format paths` ends and shows each path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathLines {
    /// End each path with NUL instead of a newline (`-0`, for `xargs -0`).
    pub null: bool,
    /// Show control characters as symbols: only for a terminal, since a pipe needs the
    /// exact bytes of the name.
    pub neutralise: bool,
}

/// Prints one path of `--format paths`: relative to the current directory when under it.
pub fn print_path<W: Write>(
    w: &mut W,
    path: &str,
    layout: &Layout,
    lines: PathLines,
) -> io::Result<()> {
    let shown = if lines.neutralise {
        layout.show(path)
    } else {
        layout.relative(path)
    };
    w.write_all(shown.as_bytes())?;
    w.write_all(if lines.null { b"\0" } else { b"\n" })
}

/// Prints one hit as a line of JSON (`--format jsonl`).
pub fn print_hit_line<W: Write>(w: &mut W, hit: &Hit) -> io::Result<()> {
    json::hit_line(w, hit)
}

/// Prints a search's results.
pub fn print_results<W: WriteColor>(
    w: &mut W,
    results: &SearchResults,
    format: Format,
    layout: &Layout,
) -> io::Result<()> {
    match format {
        Format::Text => text::results(w, results, layout),
        Format::Json => json::results(w, results),
        Format::Jsonl => {
            for hit in &results.hits {
                json::hit_line(w, hit)?;
            }
            Ok(())
        }
        Format::Paths => {
            let lines = PathLines {
                null: false,
                neutralise: false,
            };
            for hit in &results.hits {
                print_path(w, &hit.path, layout, lines)?;
            }
            Ok(())
        }
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
    layout: &Layout,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl => json::document(w, doc, teasers),
        Format::Paths => writeln!(w, "{}", layout.show(&doc.path)),
        Format::Text => text::document(w, doc, teasers, layout),
    }
}

/// Prints what an index holds (`newsfind stats`), as text or as one JSON object.
pub fn print_stats<W: WriteColor>(
    w: &mut W,
    stats: &IndexStats,
    dir: &Path,
    json: bool,
) -> io::Result<()> {
    if json {
        json::stats(w, stats, dir)
    } else {
        text::stats(w, stats, dir)
    }
}

/// Prints every source of an index (`newsfind sources`), as text or as JSON lines.
pub fn print_sources<W: WriteColor>(
    w: &mut W,
    sources: &[SourceSummary],
    json: bool,
) -> io::Result<()> {
    if json {
        sources.iter().try_for_each(|s| json::source_line(w, s))
    } else {
        text::sources(w, sources)
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
        let style = Layout {
            cwd: Some("/home/me/news".into()),
            width: None,
        };
        assert_eq!(style.show("/home/me/news/data/a.txt"), "data/a.txt");
        assert_eq!(style.show("/elsewhere/a.txt"), "/elsewhere/a.txt");
        assert_eq!(
            style.show("/home/me/newsroom/a.txt"),
            "/home/me/newsroom/a.txt"
        );
        assert_eq!(Layout::default().show("/x/y"), "/x/y");
        assert_eq!(style.show("/home/me/news/a\x1b[2J.txt"), "a\u{241b}[2J.txt");
    }

    #[test]
    fn path_lines() {
        let layout = Layout {
            cwd: Some("/news".into()),
            width: Some(40),
        };
        let mut out = Vec::new();
        let raw = PathLines {
            null: true,
            neutralise: false,
        };
        print_path(&mut out, "/news/a\nb.txt", &layout, raw).unwrap();
        print_path(&mut out, "/other/c.txt", &layout, raw).unwrap();
        assert_eq!(out, b"a\nb.txt\0/other/c.txt\0");
        let mut out = Vec::new();
        let shown = PathLines {
            null: false,
            neutralise: true,
        };
        print_path(&mut out, "/news/a\x1b]0;x\x07.txt", &layout, shown).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\u{241b}]0;x\u{2407}.txt\n"
        );
    }
}
