//! Where to break a line of text for the terminal: textwrap finds the words and their
//! display widths (wide and combining characters count as the terminal shows them); this
//! module hands back byte ranges into the original text, so that highlights, which are
//! byte ranges too, can be cut at the same places.

use textwrap::core::{break_words, Word};
use textwrap::wrap_algorithms::wrap_first_fit;
use textwrap::WordSeparator;

/// Lines are never made narrower than this, however narrow the terminal.
const MIN_WIDTH: usize = 20;

/// The byte ranges of the lines of `text` wrapped to `width` columns; one line when
/// `width` is `None` (a pipe). Spaces at the breaks belong to no line.
pub fn lines(text: &str, width: Option<usize>) -> Vec<(usize, usize)> {
    let Some(width) = width else {
        return vec![(0, text.len())];
    };
    let width = width.max(MIN_WIDTH);
    let words: Vec<Word<'_>> = break_words(WordSeparator::AsciiSpace.find_words(text), width);
    let offset = |s: &str| s.as_ptr() as usize - text.as_ptr() as usize;
    let mut out = Vec::new();
    for line in wrap_first_fit(&words, &[width as f64]) {
        let (Some(first), Some(last)) = (line.first(), line.last()) else {
            continue;
        };
        out.push((offset(first.word), offset(last.word) + last.word.len()));
    }
    if out.is_empty() {
        out.push((0, text.len()));
    }
    out
}

/// The terminal's width in columns when stdout is one, else `None`: pipes get long lines.
pub fn stdout_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrapped(text: &str, width: usize) -> Vec<&str> {
        lines(text, Some(width))
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn breaks_between_words() {
        let text = "The UK is to take over the leadership of the Ukraine defence group";
        assert_eq!(
            wrapped(text, 24),
            [
                "The UK is to take over",
                "the leadership of the",
                "Ukraine defence group"
            ]
        );
        assert_eq!(lines(text, None), [(0, text.len())]);
        assert_eq!(wrapped("", 30), [""]);
    }

    #[test]
    fn long_words_are_cut_and_wide_chars_count_double() {
        let long = "x".repeat(50);
        assert_eq!(wrapped(&long, 20).len(), 3);
        // Ten CJK characters are twenty columns.
        let wide = "日本語の文字列です。 日本語の文字列です。";
        assert_eq!(wrapped(wide, 20).len(), 2);
        for line in wrapped(wide, 20) {
            assert!(textwrap::core::display_width(line) <= 20);
        }
    }
}
