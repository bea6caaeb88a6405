//! [`Day`]: a calendar day as the index stores it, the one place day arithmetic lives.
//!
//! tantivy's `DateTime` counts nanoseconds in an `i64`, which holds only
//! 1677-09-21..2262-04-11; historical archives reach further back. A day is stored as
//! its number counted from 0001-01-01 (day 1) in an `i64` fast field, which holds every
//! date of the proleptic Gregorian calendar from 0001-01-01 to 9999-12-31.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A day between 0001-01-01 and 9999-12-31, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(i32);

impl Day {
    /// The first day an index holds.
    pub const FIRST: Day = Day(1);
    /// The last day an index holds (9999-12-31).
    pub const LAST: Day = Day(3_652_059);

    /// The day of `date`, or `None` outside 0001-01-01..9999-12-31.
    pub fn from_date(date: NaiveDate) -> Option<Day> {
        let day = Day(date.num_days_from_ce());
        (Day::FIRST..=Day::LAST).contains(&day).then_some(day)
    }

    /// The day with the stored number `n`, or `None` when `n` is no day we store.
    pub fn from_number(n: i64) -> Option<Day> {
        let day = Day(i32::try_from(n).ok()?);
        (Day::FIRST..=Day::LAST).contains(&day).then_some(day)
    }

    /// The number stored in the index.
    pub fn number(self) -> i64 {
        i64::from(self.0)
    }

    pub fn date(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0).expect("a Day is always a valid date")
    }

    /// The year, month and day, zero-padded, for the `/YYYY/MM/DD` facet.
    pub fn facet_path(self) -> [String; 3] {
        let d = self.date();
        [
            format!("{:04}", d.year()),
            format!("{:02}", d.month()),
            format!("{:02}", d.day()),
        ]
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.date();
        write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ends_of_the_calendar() {
        assert_eq!(Day::from_date(d("0001-01-01")), Some(Day::FIRST));
        assert_eq!(Day::from_date(d("9999-12-31")), Some(Day::LAST));
        assert_eq!(Day::LAST.to_string(), "9999-12-31");
        assert_eq!(Day::FIRST.to_string(), "0001-01-01");
        assert_eq!(
            Day::from_date(NaiveDate::from_ymd_opt(0, 12, 31).unwrap()),
            None
        );
        assert_eq!(
            Day::from_date(NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()),
            None
        );
        assert_eq!(Day::from_number(0), None);
        assert_eq!(Day::from_number(i64::MAX), None);
        assert_eq!(
            Day::from_date(d("1969-12-31")).unwrap().facet_path(),
            ["1969".to_string(), "12".to_string(), "31".to_string()]
        );
    }

    proptest! {
        #[test]
        fn round_trips(n in 1i64..=3_652_059) {
            let day = Day::from_number(n).unwrap();
            prop_assert_eq!(Day::from_date(day.date()), Some(day));
            prop_assert_eq!(day.number(), n);
            prop_assert_eq!(NaiveDate::parse_from_str(&day.to_string(), "%Y-%m-%d").unwrap(), day.date());
        }
    }
}
