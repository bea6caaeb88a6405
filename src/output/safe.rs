//! Text from files is untrusted: a title or a file name may carry terminal escapes
//! (`ESC[2J` clears the screen, OSC 52 writes the clipboard, OSC 0 sets the window
//! title). Everything printed as text goes through here, so that control characters show
//! as visible symbols instead of acting on the terminal. JSON escapes them by itself.

use std::borrow::Cow;

/// What a control character is shown as: its Control Pictures symbol (`␛` for ESC) for
/// C0 and DEL, U+FFFD for C1 and for the invisible direction overrides.
fn visible(c: char) -> Option<char> {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32),
        '\x7f' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// `text` for one line of a terminal: every control character made visible, newlines
/// and tabs included.
pub fn one_line(text: &str) -> Cow<'_, str> {
    neutralise(text)
}

fn neutralise(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| visible(c).is_some()) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| visible(c).unwrap_or(c))
        .collect::<String>()
        .into()
}

/// [`one_line`] of `text` with byte ranges into it (highlights) moved to match.
pub fn one_line_marked(text: &str, ranges: &[(usize, usize)]) -> (String, Vec<(usize, usize)>) {
    if let Cow::Borrowed(same) = one_line(text) {
        return (same.to_string(), ranges.to_vec());
    }
    let mut out = String::with_capacity(text.len() + 8);
    // New offset of every old char boundary.
    let mut moved = vec![0; text.len() + 1];
    for (i, c) in text.char_indices() {
        moved[i] = out.len();
        out.push(visible(c).unwrap_or(c));
    }
    moved[text.len()] = out.len();
    let ranges = ranges
        .iter()
        .filter(|&&(a, b)| a <= b && b <= text.len())
        .map(|&(a, b)| (moved[a], moved[b]))
        .collect();
    (out, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        let cases = [
            ("plain title", "plain title"),
            ("clear\x1b[2Jscreen", "clear\u{241b}[2Jscreen"),
            (
                "clip\x1b]52;c;aGk=\x07board",
                "clip\u{241b}]52;c;aGk=\u{2407}board",
            ),
            ("title\x1b]0;pwned\x1b\\", "title\u{241b}]0;pwned\u{241b}\\"),
            ("c1 \u{9b}2J", "c1 \u{fffd}2J"),
            ("two\nlines\ttab\r", "two\u{240a}lines\u{2409}tab\u{240d}"),
            ("del\x7f", "del\u{2421}"),
            ("rtl \u{202e}txt.exe", "rtl \u{fffd}txt.exe"),
        ];
        for (given, want) in cases {
            assert_eq!(one_line(given), want, "{given:?}");
            assert!(!one_line(given).chars().any(|c| c.is_control()));
        }
        assert!(matches!(one_line("fine"), Cow::Borrowed(_)));
    }

    #[test]
    fn ranges_follow_the_text() {
        let (text, ranges) = one_line_marked("a\x1b[2J Ukraine", &[(6, 13)]);
        assert_eq!(text, "a\u{241b}[2J Ukraine");
        assert_eq!(&text[ranges[0].0..ranges[0].1], "Ukraine");
        let (text, ranges) = one_line_marked("fine word", &[(5, 9)]);
        assert_eq!(&text[ranges[0].0..ranges[0].1], "word");
    }
}
