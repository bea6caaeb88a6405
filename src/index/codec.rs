//! The stored document, both ways: typed article and teaser documents to tantivy
//! documents and back. Ids are minted and recognised here; every reader (search, show,
//! export, the ingester's teaser rewrites) and the test fixtures go through this module,
//! so the shape of a stored document is written down once.

use std::path::Path;

use anyhow::Context;
use tantivy::schema::{Facet, Value};
use tantivy::{TantivyDocument, Term};

use super::day::Day;
use super::schema::{Fields, FOLDED, KIND_ARTICLE, KIND_TEASER};
use crate::article::{Article, DisplaySource};

/// Id of the article document of the file at `path` (hashed from the path's bytes, so a
/// name that is not UTF-8 has an id of its own).
pub fn article_id(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    format!(
        "a{:016x}",
        xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_bytes())
    )
}

/// The number in an article id (`a` and 16 hex digits).
pub fn article_hash_of_id(id: &str) -> Option<u64> {
    let hex = id.strip_prefix('a')?;
    (hex.len() == 16).then(|| u64::from_str_radix(hex, 16).ok())?
}

/// The number in the id of the article of the file at `path`.
pub fn article_hash(path: &Path) -> u64 {
    article_hash_of_id(&article_id(path)).unwrap_or_default()
}

/// What an article document says about its story (indexed beside the [`ArticleDoc`]).
#[derive(Debug, Clone, Default)]
pub struct StoryFields {
    /// Its story, when it has copies.
    pub story: Option<u64>,
    pub signature: Option<crate::story::Signature>,
    /// Keys of its paragraphs that could be boilerplate.
    pub paragraphs: Vec<u64>,
}

/// Adds the story fields to an article's tantivy document.
pub fn add_story(doc: &mut TantivyDocument, fields: &Fields, story: &StoryFields) {
    if let Some(id) = story.story {
        doc.add_u64(fields.story, id);
    }
    if let Some(sig) = &story.signature {
        doc.add_bytes(fields.story_sig, &sig.to_bytes());
        for band in sig.bands() {
            doc.add_u64(fields.story_band, band);
        }
    }
    for &key in &story.paragraphs {
        doc.add_u64(fields.story_para, key);
    }
}

/// Id of the teaser document of a title key.
pub fn teaser_id(key: u64) -> String {
    format!("t{key:016x}")
}

/// Whether `target` is a document id: `a` or `t` and 16 hex digits.
pub fn is_doc_id(target: &str) -> bool {
    target.len() == 17
        && (target.starts_with('a') || target.starts_with('t'))
        && target[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The term that finds a document by id.
pub fn id_term(fields: &Fields, id: &str) -> Term {
    Term::from_field_text(fields.id, id)
}

/// The term that finds the documents of a title key (an article and its teaser).
pub fn title_key_term(fields: &Fields, key: u64) -> Term {
    Term::from_field_text(fields.title_key, &format!("{key:016x}"))
}

/// The text of a teaser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeaserText {
    pub title: String,
    pub summary: String,
    pub truncated: bool,
}

impl TeaserText {
    /// Of two texts of the same teaser, the one to keep: a whole summary over a cut one,
    /// then the longer, then (a total order, so that the choice does not depend on the
    /// order files are read in) by summary and title.
    pub fn better(self, other: TeaserText) -> TeaserText {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    fn rank(&self) -> (bool, usize, &str, &str) {
        (
            !self.truncated,
            self.summary.len(),
            &self.summary,
            &self.title,
        )
    }
}

/// An article document.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDoc {
    pub id: String,
    /// The file's path, shown lossily when it is not UTF-8.
    pub path: String,
    pub title: String,
    pub body: String,
    /// Caption texts with their credits.
    pub captions: Vec<(String, Option<String>)>,
    pub byline: Option<String>,
    pub source: DisplaySource,
    pub day: Option<Day>,
    pub read_minutes: Option<u64>,
}

impl ArticleDoc {
    /// The document of a parsed file.
    pub fn new(path: &Path, article: &Article, source: DisplaySource) -> ArticleDoc {
        ArticleDoc {
            id: article_id(path),
            path: path.to_string_lossy().into_owned(),
            title: article.title.clone(),
            body: article.body(),
            captions: article
                .captions
                .iter()
                .map(|c| (c.text.clone(), c.credit.clone()))
                .collect(),
            byline: article.byline.clone(),
            source,
            day: article.date.and_then(Day::from_date),
            read_minutes: article.read_minutes.map(u64::from),
        }
    }
}

/// A teaser document: one per title key, whatever the number of files carrying it.
#[derive(Debug, Clone, PartialEq)]
pub struct TeaserDoc {
    pub key: u64,
    pub text: TeaserText,
    /// Path and source of the first file it was seen in.
    pub first_path: String,
    pub first_source: DisplaySource,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
    /// Number of indexed files carrying it.
    pub seen_count: u64,
    /// An indexed article has the same title.
    pub folded: bool,
}

/// Any stored document.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredDoc {
    Article(ArticleDoc),
    Teaser(TeaserDoc),
}

impl StoredDoc {
    pub fn id(&self) -> String {
        match self {
            StoredDoc::Article(a) => a.id.clone(),
            StoredDoc::Teaser(t) => teaser_id(t.key),
        }
    }

    /// The tantivy document to index.
    pub fn to_tantivy(&self, f: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        match self {
            StoredDoc::Article(a) => {
                doc.add_text(f.id, &a.id);
                doc.add_text(f.kind, KIND_ARTICLE);
                doc.add_text(f.path, &a.path);
                doc.add_text(f.title, &a.title);
                let key = crate::article::title_key(&a.title);
                doc.add_text(f.title_key, format!("{key:016x}"));
                doc.add_text(f.body, &a.body);
                for (caption, credit) in &a.captions {
                    doc.add_text(f.captions, caption);
                    doc.add_text(f.credits, credit.as_deref().unwrap_or(""));
                }
                if let Some(byline) = &a.byline {
                    doc.add_text(f.byline, byline);
                }
                add_source(&mut doc, f, &a.source);
                if let Some(day) = a.day {
                    add_day(&mut doc, f, day);
                }
                if let Some(minutes) = a.read_minutes {
                    doc.add_u64(f.read_minutes, minutes);
                }
            }
            StoredDoc::Teaser(t) => {
                doc.add_text(f.id, teaser_id(t.key));
                doc.add_text(f.kind, KIND_TEASER);
                doc.add_text(f.path, &t.first_path);
                doc.add_text(f.title, &t.text.title);
                doc.add_text(f.title_key, format!("{:016x}", t.key));
                doc.add_text(f.body, &t.text.summary);
                add_source(&mut doc, f, &t.first_source);
                if let Some(day) = t.first_day {
                    add_day(&mut doc, f, day);
                }
                if let Some(day) = t.last_day {
                    doc.add_i64(f.last_seen, day.number());
                }
                doc.add_u64(f.seen_count, t.seen_count);
                doc.add_bool(f.truncated, t.text.truncated);
                if t.folded {
                    doc.add_text(f.folded, FOLDED);
                }
            }
        }
        doc
    }

    /// Reads a stored document back. Fails on a document this version did not write.
    pub fn from_tantivy(f: &Fields, doc: &TantivyDocument) -> anyhow::Result<StoredDoc> {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let id = text(f.id).context("a stored document without an id")?;
        let day = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_i64())
                .and_then(Day::from_number)
        };
        let source = DisplaySource {
            name: text(f.source_name).unwrap_or_default(),
            slug: stored_slug(doc, f),
        };
        match text(f.kind).as_deref() {
            Some(KIND_ARTICLE) => {
                let credits: Vec<&str> =
                    doc.get_all(f.credits).filter_map(|v| v.as_str()).collect();
                let captions = doc
                    .get_all(f.captions)
                    .filter_map(|v| v.as_str())
                    .enumerate()
                    .map(|(i, caption)| {
                        let credit = credits
                            .get(i)
                            .filter(|c| !c.is_empty())
                            .map(|c| c.to_string());
                        (caption.to_string(), credit)
                    })
                    .collect();
                Ok(StoredDoc::Article(ArticleDoc {
                    path: text(f.path).unwrap_or_default(),
                    title: text(f.title).unwrap_or_default(),
                    body: text(f.body).unwrap_or_default(),
                    captions,
                    byline: text(f.byline),
                    source,
                    day: day(f.date),
                    read_minutes: doc.get_first(f.read_minutes).and_then(|v| v.as_u64()),
                    id,
                }))
            }
            Some(KIND_TEASER) => {
                let key = id
                    .strip_prefix('t')
                    .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                    .with_context(|| format!("a teaser with the id {id:?}"))?;
                Ok(StoredDoc::Teaser(TeaserDoc {
                    key,
                    text: TeaserText {
                        title: text(f.title).unwrap_or_default(),
                        summary: text(f.body).unwrap_or_default(),
                        truncated: doc
                            .get_first(f.truncated)
                            .and_then(|v| v.as_bool())
                            .unwrap_or(false),
                    },
                    first_path: text(f.path).unwrap_or_default(),
                    first_source: source,
                    first_day: day(f.date),
                    last_day: day(f.last_seen),
                    seen_count: doc
                        .get_first(f.seen_count)
                        .and_then(|v| v.as_u64())
                        .unwrap_or(1),
                    folded: text(f.folded).is_some(),
                }))
            }
            other => anyhow::bail!("a stored document of kind {other:?}"),
        }
    }
}

fn add_day(doc: &mut TantivyDocument, f: &Fields, day: Day) {
    doc.add_i64(f.date, day.number());
    doc.add_facet(f.date_facet, Facet::from_path(day.facet_path()));
}

fn add_source(doc: &mut TantivyDocument, f: &Fields, source: &DisplaySource) {
    doc.add_text(f.source, format!("{} {}", source.slug, source.name));
    doc.add_facet(f.source_facet, Facet::from_path([source.slug.as_str()]));
    doc.add_text(f.source_name, &source.name);
}

/// The slug of a stored source facet (`/slug`).
fn stored_slug(doc: &TantivyDocument, f: &Fields) -> String {
    let Some(encoded) = doc.get_first(f.source_facet).and_then(|v| v.as_facet()) else {
        return String::new();
    };
    slug_of_source_facet(encoded.as_bytes())
}

/// The slug of a source facet (`/slug`) in its encoded form, as stored with a document and
/// as its fast field holds it.
pub fn slug_of_source_facet(encoded: &[u8]) -> String {
    let facet = Facet::from_encoded(encoded.to_vec()).unwrap_or_else(|_| Facet::root());
    match facet.to_path().first() {
        Some(slug) => slug.trim_start_matches('/').to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::build_schema;

    #[test]
    fn ids() {
        assert!(is_doc_id("a0123456789abcdef"));
        assert!(is_doc_id("tfedcba9876543210"));
        assert!(!is_doc_id("x0123456789abcdef"));
        assert!(!is_doc_id("a0123"));
        assert!(!is_doc_id("data/a0123456789abcdef"));
    }

    #[test]
    fn documents_round_trip() {
        let fields = Fields::new(&build_schema()).unwrap();
        let source = DisplaySource::new("The Hill");
        let article = StoredDoc::Article(ArticleDoc {
            id: article_id(Path::new("/a/b.txt")),
            path: "/a/b.txt".into(),
            title: "T".into(),
            body: "B\n\nC".into(),
            captions: vec![("cap".into(), Some("AP".into())), ("bare".into(), None)],
            byline: Some("Jane".into()),
            source: source.clone(),
            day: Day::from_number(1),
            read_minutes: Some(3),
        });
        let teaser = StoredDoc::Teaser(TeaserDoc {
            key: 42,
            text: TeaserText {
                title: "Tease".into(),
                summary: "Cut mi".into(),
                truncated: true,
            },
            first_path: "/a/b.txt".into(),
            first_source: source,
            first_day: Some(Day::LAST),
            last_day: Some(Day::LAST),
            seen_count: 2,
            folded: true,
        });
        for doc in [article, teaser] {
            let back = StoredDoc::from_tantivy(&fields, &doc.to_tantivy(&fields)).unwrap();
            assert_eq!(back, doc);
        }
    }

    #[test]
    fn the_better_text_does_not_depend_on_order() {
        let t = |summary: &str, truncated| TeaserText {
            title: "T".into(),
            summary: summary.into(),
            truncated,
        };
        let texts = [
            t("abc", false),
            t("abd", false),
            t("abcdef", true),
            t("", false),
        ];
        for a in &texts {
            for b in &texts {
                assert_eq!(a.clone().better(b.clone()), b.clone().better(a.clone()));
            }
        }
        assert_eq!(t("ab", false).better(t("abcdef", true)), t("ab", false));
    }
}
