//! The archive format: what one news file holds, and how to read it. No I/O here.
//!
//! A file is an article (title, date, source, byline, read time, captions, body) followed
//! by a section of teasers for other stories. [`parse_article`] splits the two, so that an
//! article never matches on the text of its teasers.

mod decode;
mod names;
mod parse;
#[cfg(test)]
mod proptests;

pub use decode::{decode, SkipReason};
pub use names::{slug, source_of, title_key, DisplaySource};
pub use parse::parse_article;

use chrono::NaiveDate;
use serde::Serialize;

/// What the parser makes of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    pub title: String,
    /// Publication date; `None` when the header has none or an invalid one.
    #[serde(serialize_with = "serialize_date")]
    pub date: Option<NaiveDate>,
    /// The publisher named before `date` in the header, if any.
    pub source: Option<String>,
    pub byline: Option<String>,
    pub read_minutes: Option<u32>,
    pub captions: Vec<Caption>,
    /// Body paragraphs, without `ADVERTISEMENT` markers and captions.
    pub paragraphs: Vec<String>,
    pub teasers: Vec<Teaser>,
    /// Things worth telling the user, e.g. "no date in the header".
    pub warnings: Vec<String>,
}

impl Article {
    /// The body as indexed and printed: paragraphs joined by a blank line.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

/// A photo caption, printed twice in the file, the second time with ` - CREDIT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

/// A teaser for another story, from the `Latest Stories` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Teaser {
    pub title: String,
    /// Possibly empty; possibly cut mid-word.
    pub summary: String,
    /// The summary does not end a sentence (the scraper cut it).
    pub truncated: bool,
}

fn serialize_date<S: serde::Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}
