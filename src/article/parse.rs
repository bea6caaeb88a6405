//! The parser: one decoded file in, one [`Article`] with its [`Teaser`]s out.
//!
//! Every non-blank line of the input is given exactly one [`Role`]; the parser checks this
//! in debug builds and the property tests check it on generated files ("nothing lost").

use chrono::NaiveDate;

use super::{Article, Caption, Teaser};

/// Headings that open the teaser section, when a bullet follows them.
const TEASER_HEADINGS: [&str; 4] = [
    "Latest Stories",
    "Related Stories",
    "More Stories",
    "Recommended Stories",
];
const BULLET: char = '\u{2022}';
const ADVERTISEMENT: &str = "ADVERTISEMENT";

/// Where a line of the input went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The header: source, date and title (or only the title, in a file without `date`).
    Header,
    Byline,
    ReadTime,
    Caption,
    /// The second printing of a caption, with its credit.
    Credit,
    Body,
    /// A dropped `ADVERTISEMENT` marker.
    Advertisement,
    TeaserHeading,
    TeaserTitle,
    TeaserSummary,
}

/// Parses a decoded file. Never fails: what cannot be recognised is body text, and what
/// is missing is said in `warnings`.
pub fn parse_article(text: &str) -> Article {
    parse_with_roles(text).0
}

/// [`parse_article`], plus the role of every line (`None` for blank lines).
pub fn parse_with_roles(text: &str) -> (Article, Vec<Option<Role>>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut p = Parser {
        lines: &lines,
        roles: vec![None; lines.len()],
        article: Article::default(),
    };
    p.run();
    debug_assert!(
        p.lines
            .iter()
            .zip(&p.roles)
            .all(|(l, r)| l.trim().is_empty() == r.is_none()),
        "a non-blank line was lost or a blank line was kept"
    );
    (p.article, p.roles)
}

struct Parser<'a> {
    lines: &'a [&'a str],
    roles: Vec<Option<Role>>,
    article: Article,
}

impl Parser<'_> {
    fn run(&mut self) {
        let Some(first) = self.next_non_blank(0) else {
            self.article.warnings.push("no text".to_string());
            return;
        };
        self.header(first);
        let teasers_at = self.teaser_heading(first + 1);
        let body_end = teasers_at.unwrap_or(self.lines.len());
        let body_start = self.byline_and_read_time(first + 1, body_end);
        self.body(body_start, body_end);
        if let Some(heading) = teasers_at {
            self.assign(heading, Role::TeaserHeading);
            self.teasers(heading + 1);
        }
        match self.article.paragraphs.last() {
            None => self.article.warnings.push("no body text".to_string()),
            // A scraped file always has its read time; without it and without an ending,
            // the download was most likely cut short.
            Some(last)
                if self.article.read_minutes.is_none()
                    && teasers_at.is_none()
                    && !ends_sentence(last) =>
            {
                self.article.warnings.push(
                    "no read-time line and the body stops mid-sentence: truncated?".to_string(),
                );
            }
            Some(_) => {}
        }
    }

    fn assign(&mut self, i: usize, role: Role) {
        debug_assert!(self.roles[i].is_none(), "line {} given two roles", i + 1);
        self.roles[i] = Some(role);
    }

    fn next_non_blank(&self, from: usize) -> Option<usize> {
        (from..self.lines.len()).find(|&i| !self.lines[i].trim().is_empty())
    }

    /// `[SOURCE ]date YYYY-MM-DD TITLE`, or a plain first line taken as the title.
    fn header(&mut self, i: usize) {
        self.assign(i, Role::Header);
        let line = self.lines[i].trim_start_matches('\u{feff}');
        let Some((source, value, title)) = split_header(line) else {
            self.article.title = collapse_spaces(line);
            self.article
                .warnings
                .push("no `date` in the header line: undated".to_string());
            return;
        };
        self.article.title = collapse_spaces(title);
        if !source.is_empty() {
            self.article.source = Some(collapse_spaces(source));
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(date) => self.article.date = Some(date),
            Err(_) => self
                .article
                .warnings
                .push(format!("header date {value:?} is not a date: undated")),
        }
        if self.article.title.is_empty() {
            self.article
                .warnings
                .push("no title in the header line".to_string());
        }
    }

    /// The optional byline and `·N min read` lines right after the header; returns where
    /// the body starts. A line is a byline only when the read-time line follows it or it
    /// starts with "By ", so that a short first paragraph is never taken for one.
    fn byline_and_read_time(&mut self, from: usize, end: usize) -> usize {
        let Some(i) = self.next_non_blank(from).filter(|&i| i < end) else {
            return from;
        };
        if let Some(minutes) = read_minutes(self.lines[i]) {
            self.assign(i, Role::ReadTime);
            self.article.read_minutes = Some(minutes);
            return i + 1;
        }
        let next = self.next_non_blank(i + 1).filter(|&j| j < end);
        let next_minutes = next.and_then(|j| read_minutes(self.lines[j]));
        let line = self.lines[i].trim();
        let by = line.strip_prefix("By ").is_some_and(looks_like_names);
        if next_minutes.is_none() && !by {
            return i;
        }
        if next.is_some_and(|j| self.is_caption_pair(i, j)) {
            return i;
        }
        self.assign(i, Role::Byline);
        self.article.byline = Some(collapse_spaces(line));
        match (next, next_minutes) {
            (Some(j), Some(minutes)) => {
                self.assign(j, Role::ReadTime);
                self.article.read_minutes = Some(minutes);
                j + 1
            }
            _ => i + 1,
        }
    }

    fn is_caption_pair(&self, i: usize, j: usize) -> bool {
        j == i + 1 && caption_credit(self.lines[i], self.lines[j]).is_some()
    }

    /// Body paragraphs (blocks of non-blank lines), captions and advertisement markers.
    fn body(&mut self, from: usize, end: usize) {
        let mut paragraph: Vec<&str> = Vec::new();
        let mut i = from;
        while i < end {
            let line = self.lines[i];
            let trimmed = line.trim();
            if trimmed.is_empty() {
                self.flush_paragraph(&mut paragraph);
                i += 1;
                continue;
            }
            if trimmed == ADVERTISEMENT {
                self.flush_paragraph(&mut paragraph);
                self.assign(i, Role::Advertisement);
                i += 1;
                continue;
            }
            if i + 1 < end {
                if let Some(credit) = caption_credit(line, self.lines[i + 1]) {
                    self.flush_paragraph(&mut paragraph);
                    self.assign(i, Role::Caption);
                    self.assign(i + 1, Role::Credit);
                    self.article.captions.push(Caption {
                        text: collapse_spaces(trimmed),
                        credit: Some(credit.to_string()),
                    });
                    i += 2;
                    continue;
                }
            }
            self.assign(i, Role::Body);
            paragraph.push(trimmed);
            i += 1;
        }
        self.flush_paragraph(&mut paragraph);
    }

    fn flush_paragraph(&mut self, paragraph: &mut Vec<&str>) {
        if !paragraph.is_empty() {
            self.article.paragraphs.push(paragraph.join(" "));
            paragraph.clear();
        }
    }

    /// The line of the teaser heading: the last heading line followed by a bullet that is
    /// not indented less than the heading (a heading inside a teaser summary is deeper).
    fn teaser_heading(&self, from: usize) -> Option<usize> {
        (from..self.lines.len()).rev().find(|&i| {
            let line = self.lines[i];
            if !TEASER_HEADINGS.contains(&line.trim()) {
                return false;
            }
            self.next_non_blank(i + 1)
                .and_then(|j| bullet(self.lines[j]))
                .is_some_and(|(depth, _)| indent(line) <= depth)
        })
    }

    /// Teasers: a bullet line (the title), then the lines up to the next bullet at the same
    /// depth or shallower (the summary). Everything after the heading is teaser text.
    fn teasers(&mut self, from: usize) {
        let Some(first) = self.next_non_blank(from) else {
            return;
        };
        let Some((depth, _)) = bullet(self.lines[first]) else {
            return;
        };
        let mut current: Option<(String, Vec<&str>)> = None;
        for i in first..self.lines.len() {
            let line = self.lines[i];
            if line.trim().is_empty() {
                continue;
            }
            match bullet(line) {
                Some((d, title)) if d <= depth => {
                    self.push_teaser(current.take());
                    self.assign(i, Role::TeaserTitle);
                    current = Some((collapse_spaces(title), Vec::new()));
                }
                _ => {
                    self.assign(i, Role::TeaserSummary);
                    if let Some((_, summary)) = current.as_mut() {
                        summary.push(line.trim());
                    }
                }
            }
        }
        self.push_teaser(current);
    }

    fn push_teaser(&mut self, teaser: Option<(String, Vec<&str>)>) {
        let Some((title, summary)) = teaser else {
            return;
        };
        let summary = collapse_spaces(&summary.join(" "));
        let truncated = !summary.is_empty() && !ends_sentence(&summary);
        self.article.teasers.push(Teaser {
            title,
            summary,
            truncated,
        });
    }
}

/// Splits `[SOURCE ]date VALUE TITLE` at its first `date` word.
fn split_header(line: &str) -> Option<(&str, &str, &str)> {
    let mut offset = 0;
    for word in line.split(' ') {
        if word == "date" {
            let source = &line[..offset];
            let rest = line[offset + word.len()..].trim_start();
            if rest.is_empty() {
                return None;
            }
            let (value, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            return Some((source.trim(), value, title.trim()));
        }
        offset += word.len() + 1;
    }
    None
}

/// `·N min read` (U+00B7), tolerating spaces and "mins".
fn read_minutes(line: &str) -> Option<u32> {
    let rest = line.trim().strip_prefix('\u{b7}')?.trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let minutes = rest[..digits].parse().ok()?;
    let unit = rest[digits..].trim();
    matches!(
        unit,
        "min read" | "mins read" | "minute read" | "minutes read"
    )
    .then_some(minutes)
}

/// The credit when `second` is `first` followed by ` - CREDIT`.
fn caption_credit<'a>(first: &str, second: &'a str) -> Option<&'a str> {
    let first = first.trim();
    if first.is_empty() {
        return None;
    }
    let credit = second
        .trim()
        .strip_prefix(first)?
        .strip_prefix(" - ")?
        .trim();
    (!credit.is_empty()).then_some(credit)
}

/// `(depth, title)` of a bullet line `  • title`.
fn bullet(line: &str) -> Option<(usize, &str)> {
    let depth = indent(line);
    let title = line[line.len() - line.trim_start().len()..].strip_prefix(BULLET)?;
    Some((depth, title.trim()))
}

/// Indentation width, a tab counting as four.
fn indent(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// "Jane Doe and John Roe": a few words, no sentence punctuation.
fn looks_like_names(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (1..=12).contains(&words) && !text.ends_with(['.', '!', '?', ':'])
}

/// Whether a summary ends a sentence (possibly inside closing quotes or brackets).
fn ends_sentence(text: &str) -> bool {
    let end = text.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}']);
    end.ends_with(['.', '!', '?', '\u{2026}'])
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../data/000_ef6aeda730e56b7b.txt");

    #[test]
    fn seed_file() {
        let a = parse_article(SEED);
        assert_eq!(
            a.title,
            "UK to take over leadership of Ukraine defence group from US"
        );
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2025, 2, 6));
        assert_eq!(a.source, None);
        assert_eq!(a.byline.as_deref(), Some("Danielle Sheridan"));
        assert_eq!(a.read_minutes, Some(2));
        assert_eq!(a.captions.len(), 2);
        assert_eq!(a.captions[0].credit.as_deref(), Some("KIN CHEUNG/AFP"));
        assert_eq!(
            a.captions[1].credit.as_deref(),
            Some("Tierney L. Cross/Bloomberg")
        );
        assert_eq!(a.paragraphs.len(), 16);
        assert!(a.paragraphs[0].starts_with("The UK is to take over"));
        assert!(a.paragraphs.iter().all(|p| p != "ADVERTISEMENT"));
        assert!(
            !a.body().contains("Karoline"),
            "a teaser leaked into the body"
        );
        assert_eq!(a.teasers.len(), 20);
        assert_eq!(
            a.teasers[0].title,
            "A Grocery What?!? Karoline Leavitt’s Briefing Blunder Leaves Everyone Confused"
        );
        assert!(!a.teasers[0].truncated);
        assert!(a.teasers[6].truncated, "{:?}", a.teasers[6].summary);
        assert!(a.teasers[19].title.starts_with("Poilievre's pivot"));
        assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    }

    #[test]
    fn headers() {
        // (first line, source, date, title, warns)
        let cases = [
            (
                " date 2020-01-02 A title",
                None,
                Some("2020-01-02"),
                "A title",
                false,
            ),
            (
                "Reuters date 1987-03-02 Oil up",
                Some("Reuters"),
                Some("1987-03-02"),
                "Oil up",
                false,
            ),
            (
                "Guest Writer - Right date 2016-08-10 OPINION: x",
                Some("Guest Writer - Right"),
                Some("2016-08-10"),
                "OPINION: x",
                false,
            ),
            (
                " date None Undated story",
                None,
                None,
                "Undated story",
                true,
            ),
            (" date 2025-13-45 Bad month", None, None, "Bad month", true),
            ("Just a title line", None, None, "Just a title line", true),
            (
                " date 2020-01-02 Title with date in it",
                None,
                Some("2020-01-02"),
                "Title with date in it",
                false,
            ),
            (
                "\u{feff} date 2020-01-02 BOM",
                None,
                Some("2020-01-02"),
                "BOM",
                false,
            ),
        ];
        for (line, source, date, title, warns) in cases {
            let a = parse_article(&format!("{line}\n\nSome body text.\n"));
            assert_eq!(a.source.as_deref(), source, "{line:?}");
            assert_eq!(a.date.map(|d| d.to_string()).as_deref(), date, "{line:?}");
            assert_eq!(a.title, title, "{line:?}");
            assert_eq!(!a.warnings.is_empty(), warns, "{line:?}: {:?}", a.warnings);
        }
    }

    #[test]
    fn title_from_first_non_blank_line() {
        let a = parse_article("\n\n  Plain title  \n\nBody.\n");
        assert_eq!(a.title, "Plain title");
        assert_eq!(a.date, None);
        assert_eq!(a.paragraphs, vec!["Body."]);
    }

    #[test]
    fn bylines() {
        // (lines after the header, byline, read time, first paragraph)
        let cases = [
            (
                "Jane Doe\n\u{b7}3 min read\n\nBody.",
                Some("Jane Doe"),
                Some(3),
                "Body.",
            ),
            ("\u{b7}1 min read\n\nBody.", None, Some(1), "Body."),
            ("By Jane Doe\n\nBody.", Some("By Jane Doe"), None, "Body."),
            (
                "ANALYSIS/OPINION:\n\nBody.",
                None,
                None,
                "ANALYSIS/OPINION:",
            ),
            (
                "Short first paragraph\n\nBody.",
                None,
                None,
                "Short first paragraph",
            ),
            (
                "Jane Doe\n\n\u{b7} 12 mins read\nBody.",
                Some("Jane Doe"),
                Some(12),
                "Body.",
            ),
        ];
        for (rest, byline, minutes, first) in cases {
            let a = parse_article(&format!(" date 2020-01-02 T\n\n{rest}\n"));
            assert_eq!(a.byline.as_deref(), byline, "{rest:?}");
            assert_eq!(a.read_minutes, minutes, "{rest:?}");
            assert_eq!(a.paragraphs[0], first, "{rest:?}");
        }
    }

    #[test]
    fn captions_and_ads() {
        let text = " date 2020-01-02 T\n\nA\n\u{b7}2 min read\nCap one\nCap one - X/AFP\n\nPara one.\n\nADVERTISEMENT\n\nPara\ntwo.\nCap two\nCap two - Y\n\nCap two - not a pair\n";
        let a = parse_article(text);
        assert_eq!(
            a.captions,
            vec![
                Caption {
                    text: "Cap one".into(),
                    credit: Some("X/AFP".into())
                },
                Caption {
                    text: "Cap two".into(),
                    credit: Some("Y".into())
                },
            ]
        );
        assert_eq!(
            a.paragraphs,
            vec!["Para one.", "Para two.", "Cap two - not a pair"]
        );
    }

    #[test]
    fn teaser_sections() {
        let text = " date 2020-01-02 T\n\nBody.\n\nRelated Stories\n\nMore body.\n\nLatest Stories\n\n  \u{2022} First\n\n    Summary one.\n\n  \u{2022} Second\n    \u{2022} a summary starting with a bullet, cut mi\n  \u{2022} Third\n\nTrailing footer\n";
        let a = parse_article(text);
        assert_eq!(a.paragraphs, vec!["Body.", "Related Stories", "More body."]);
        let got: Vec<_> = a
            .teasers
            .iter()
            .map(|t| (t.title.as_str(), t.summary.as_str(), t.truncated))
            .collect();
        assert_eq!(
            got,
            vec![
                ("First", "Summary one.", false),
                (
                    "Second",
                    "\u{2022} a summary starting with a bullet, cut mi",
                    true
                ),
                ("Third", "Trailing footer", true),
            ]
        );
    }

    #[test]
    fn heading_without_bullet_is_body() {
        let a = parse_article(" date 2020-01-02 T\n\nBody.\n\nMore Stories\n\nNot a bullet.\n");
        assert_eq!(a.paragraphs, vec!["Body.", "More Stories", "Not a bullet."]);
        assert!(a.teasers.is_empty());
    }

    #[test]
    fn truncated_file_is_warned() {
        let a = parse_article(" date 2020-01-02 T\n\nThe body stops in the mid");
        assert!(
            a.warnings.iter().any(|w| w.contains("truncated")),
            "{:?}",
            a.warnings
        );
        let a =
            parse_article(" date 2020-01-02 T\n\n\u{b7}1 min read\n\nThe body stops in the mid");
        assert!(a.warnings.is_empty());
    }
}
