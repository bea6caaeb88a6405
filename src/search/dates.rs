//! Dates as people type them, resolved against an explicit `today` (never the clock):
//! `2025`, `2025-02`, `2025-02-06`, `today`, `yesterday`, `7d`, `2w`, `3m`, `1y`,
//! `last week`, `this month`, ... and notmuch-style ranges of them (`2024-11..2025-01`,
//! `2025-02-01..`, `..2019`).

use chrono::{Datelike, Days, Months, NaiveDate};

/// Why a date does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "invalid date {0:?}: expected YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday, 7d, 2w, \
         3m, 1y, 'last week', 'last month' or 'this year'"
    )]
    Invalid(String),
    #[error("invalid date range {0:?}: it ends before it starts")]
    Reversed(String),
}

/// A run of whole days, both ends included: what one date expression names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl DateSpan {
    fn day(day: NaiveDate) -> DateSpan {
        DateSpan {
            first: day,
            last: day,
        }
    }

    /// Parses one date expression. Relative forms count back from `today`: `7d` is the
    /// day a week before it, `last week` the Monday-to-Sunday week before the current one.
    pub fn parse(text: &str, today: NaiveDate) -> Result<DateSpan, DateError> {
        let invalid = || DateError::Invalid(text.trim().to_string());
        // `last_week`, `last-week` and `Last  Week` are `last week` (no spaces in `date:`).
        let text = text.trim();
        let is_word = text.starts_with(|c: char| c.is_ascii_alphabetic());
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || (is_word && (c == '_' || c == '-')))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["today"] => Ok(DateSpan::day(today)),
            ["yesterday"] => today.pred_opt().map(DateSpan::day).ok_or_else(invalid),
            [this_or_last @ ("this" | "last"), unit] => {
                let back = u32::from(*this_or_last == "last");
                match *unit {
                    "week" => {
                        let monday =
                            today - Days::new(u64::from(today.weekday().num_days_from_monday()));
                        let first = monday
                            .checked_sub_days(Days::new(7 * u64::from(back)))
                            .ok_or_else(invalid)?;
                        let last = first.checked_add_days(Days::new(6)).ok_or_else(invalid)?;
                        Ok(DateSpan { first, last })
                    }
                    "month" => {
                        let this = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
                            .ok_or_else(invalid)?;
                        month_span(
                            this.checked_sub_months(Months::new(back))
                                .ok_or_else(invalid)?,
                        )
                        .ok_or_else(invalid)
                    }
                    "year" => year_span(today.year() - back as i32).ok_or_else(invalid),
                    _ => Err(invalid()),
                }
            }
            [word] => {
                if let Some(span) = relative(word, today) {
                    return span.map(DateSpan::day).ok_or_else(invalid);
                }
                absolute(word).ok_or_else(invalid)
            }
            _ => Err(invalid()),
        }
    }
}

/// `7d`, `2w`, `3m`, `1y`: the day that long before `today`. `None` when `word` is not of
/// that form, `Some(None)` when it is but falls off the calendar.
fn relative(word: &str, today: NaiveDate) -> Option<Option<NaiveDate>> {
    let unit = word.chars().last()?;
    let count = &word[..word.len() - unit.len_utf8()];
    if count.is_empty() || count.len() > 6 || !count.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = count.parse().ok()?;
    let day = match unit {
        'd' => today.checked_sub_days(Days::new(u64::from(n))),
        'w' => today.checked_sub_days(Days::new(7 * u64::from(n))),
        'm' => today.checked_sub_months(Months::new(n)),
        'y' => n
            .checked_mul(12)
            .and_then(|m| today.checked_sub_months(Months::new(m))),
        _ => return None,
    };
    Some(day)
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn absolute(word: &str) -> Option<DateSpan> {
    let parts: Vec<&str> = word.split('-').collect();
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    match parts.as_slice() {
        [y] => year_span(number(y, 4)? as i32),
        [y, m] => month_span(NaiveDate::from_ymd_opt(
            number(y, 4)? as i32,
            number(m, 2)?,
            1,
        )?),
        [y, m, d] => NaiveDate::from_ymd_opt(number(y, 4)? as i32, number(m, 2)?, number(d, 2)?)
            .map(DateSpan::day),
        _ => None,
    }
}

fn year_span(year: i32) -> Option<DateSpan> {
    Some(DateSpan {
        first: NaiveDate::from_ymd_opt(year, 1, 1)?,
        last: NaiveDate::from_ymd_opt(year, 12, 31)?,
    })
}

/// The month that starts on `first`.
fn month_span(first: NaiveDate) -> Option<DateSpan> {
    let next = first.checked_add_months(Months::new(1))?;
    Some(DateSpan {
        first,
        last: next.pred_opt()?,
    })
}

/// The days a search is restricted to; `None` at an end means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// No restriction at all.
    pub fn any() -> DateRange {
        DateRange::default()
    }

    /// On or after the first day of `span` (`--since`).
    pub fn since(span: DateSpan) -> DateRange {
        DateRange {
            from: Some(span.first),
            to: None,
        }
    }

    /// On or before the last day of `span` (`--until`).
    pub fn until(span: DateSpan) -> DateRange {
        DateRange {
            from: None,
            to: Some(span.last),
        }
    }

    /// Within `span` (`--on`, `date:2025-02`).
    pub fn within(span: DateSpan) -> DateRange {
        DateRange {
            from: Some(span.first),
            to: Some(span.last),
        }
    }

    /// Parses a notmuch-style range: `A`, `A..B`, `A..` or `..B`, each end any form
    /// [`DateSpan::parse`] takes.
    pub fn parse(text: &str, today: NaiveDate) -> Result<DateRange, DateError> {
        let Some((a, b)) = text.split_once("..") else {
            return Ok(DateRange::within(DateSpan::parse(text, today)?));
        };
        let end = |s: &str| -> Result<Option<DateSpan>, DateError> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                DateSpan::parse(s, today).map(Some)
            }
        };
        let (a, b) = (end(a)?, end(b)?);
        if a.is_none() && b.is_none() {
            return Err(DateError::Invalid(text.trim().to_string()));
        }
        let range = DateRange {
            from: a.map(|s| s.first),
            to: b.map(|s| s.last),
        };
        if range.is_empty() {
            return Err(DateError::Reversed(text.trim().to_string()));
        }
        Ok(range)
    }

    /// Both restrictions at once.
    pub fn intersect(self, other: DateRange) -> DateRange {
        let later = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let earlier = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        DateRange {
            from: later(self.from, other.from),
            to: earlier(self.to, other.to),
        }
    }

    /// Whether this restricts anything (an unbounded range keeps undated documents).
    pub fn is_bounded(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// No day can satisfy it.
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.to), (Some(a), Some(b)) if a > b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // A Thursday.
    const TODAY: &str = "2025-02-06";

    #[test]
    fn spans() {
        for (text, first, last) in [
            ("2025", "2025-01-01", "2025-12-31"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2025-12", "2025-12-01", "2025-12-31"),
            ("2025-02-03", "2025-02-03", "2025-02-03"),
            ("today", "2025-02-06", "2025-02-06"),
            (" Yesterday ", "2025-02-05", "2025-02-05"),
            ("7d", "2025-01-30", "2025-01-30"),
            ("2w", "2025-01-23", "2025-01-23"),
            ("3m", "2024-11-06", "2024-11-06"),
            ("1y", "2024-02-06", "2024-02-06"),
            ("0d", "2025-02-06", "2025-02-06"),
            ("last week", "2025-01-27", "2025-02-02"),
            ("this week", "2025-02-03", "2025-02-09"),
            ("last_week", "2025-01-27", "2025-02-02"),
            ("Last  Month", "2025-01-01", "2025-01-31"),
            ("this month", "2025-02-01", "2025-02-28"),
            ("this year", "2025-01-01", "2025-12-31"),
            ("last-year", "2024-01-01", "2024-12-31"),
        ] {
            let span = DateSpan::parse(text, d(TODAY)).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((span.first, span.last), (d(first), d(last)), "{text}");
        }
    }

    #[test]
    fn last_month_in_january() {
        let span = DateSpan::parse("last month", d("2025-01-15")).unwrap();
        assert_eq!((span.first, span.last), (d("2024-12-01"), d("2024-12-31")));
    }

    #[test]
    fn bad_spans() {
        for text in [
            "",
            "2025-13",
            "2025-02-30",
            "25",
            "2025-1",
            "2025-01-1",
            "yesterdays",
            "7",
            "d",
            "7x",
            "next week",
            "last decade",
            "99999999y",
            "2025-02-06-01",
            "-2025",
            "last",
            "1e3d",
        ] {
            assert!(
                DateSpan::parse(text, d(TODAY)).is_err(),
                "{text:?} should not parse"
            );
        }
    }

    #[test]
    fn ranges() {
        let t = d(TODAY);
        let r = |from: Option<&str>, to: Option<&str>| DateRange {
            from: from.map(d),
            to: to.map(d),
        };
        for (text, want) in [
            ("2025-02", r(Some("2025-02-01"), Some("2025-02-28"))),
            (
                "2024-11..2025-01",
                r(Some("2024-11-01"), Some("2025-01-31")),
            ),
            ("2025-02-01..", r(Some("2025-02-01"), None)),
            ("..2019", r(None, Some("2019-12-31"))),
            ("7d..today", r(Some("2025-01-30"), Some("2025-02-06"))),
            ("2025..2025", r(Some("2025-01-01"), Some("2025-12-31"))),
        ] {
            assert_eq!(DateRange::parse(text, t).unwrap(), want, "{text}");
        }
        assert!(matches!(
            DateRange::parse("2025..2024", t),
            Err(DateError::Reversed(_))
        ));
        assert!(DateRange::parse("..", t).is_err());
        assert!(DateRange::parse("2025...2026", t).is_err());
    }

    #[test]
    fn intersections() {
        let t = d(TODAY);
        let a = DateRange::since(DateSpan::parse("2024", t).unwrap());
        let b = DateRange::until(DateSpan::parse("2024-06", t).unwrap());
        let both = a.intersect(b);
        assert_eq!(
            both,
            DateRange {
                from: Some(d("2024-01-01")),
                to: Some(d("2024-06-30"))
            }
        );
        assert!(!DateRange::any().is_bounded());
        assert!(DateRange::within(DateSpan::parse("2025", t).unwrap())
            .intersect(DateRange::within(DateSpan::parse("2024", t).unwrap()))
            .is_empty());
    }
}
