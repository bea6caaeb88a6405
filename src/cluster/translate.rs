//! newsfind's query syntax in Sphinx's extended syntax: the query is read by the same
//! grammar as a local search ([`crate::search::parse_user_query`]), then every node is
//! written out explicitly (parentheses everywhere, a field limit on every word), so that
//! Sphinx's own precedence rules never come into play. What Sphinx cannot express is
//! refused with the reason, never changed into something else.
//!
//! | newsfind | Sphinx |
//! |---|---|
//! | `climate change` | `(@(title,body,captions,byline) climate) (@(…) change)` |
//! | `"climate change"`, `"a b"~2` | `"climate change"`, `"a b"~2` |
//! | `a OR b` | `(a \| b)` |
//! | `a -b` | `(a -b)` |
//! | `elections*` | `(elections* \| elect*)` (the word and its stem, as locally) |
//! | `title:x`, `source:x` | `(@title x)`, `(@source x)` |
//! | `date:2024-11..2025-01` (required) | a filter on the `day` attribute |
//! | `*` | an empty match: every document |

use chrono::NaiveDate;
use tantivy::query_grammar::{Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

use super::document::{BODY, BYLINE, CAPTIONS, DEFAULT_FIELDS, SOURCE, TITLE};
use crate::search::{is_stop_word, parse_user_query, DateRange};

/// The query syntax's name of the date filter (the local index's date field).
const DATE_FIELD: &str = "date";

/// A query ready for Sphinx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The `MATCH('…')` text; empty for every document (a full scan).
    pub text: String,
    /// The `date:` of the query (the command line's filters come on top).
    pub dates: DateRange,
    /// Positive terms, in Sphinx syntax, for highlighting each field's snippets.
    pub highlight: Highlight,
    /// Free words of the query (stop words left out), all required.
    pub words: usize,
}

/// What to highlight in each text a hit shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Highlight {
    pub title: Vec<String>,
    pub body: Vec<String>,
    pub captions: Vec<String>,
}

/// Why a query was not sent: one line, said to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error(transparent)]
    Query(#[from] crate::search::QueryError),
    #[error("the cluster cannot run {query:?}: {why}")]
    Untranslatable { query: String, why: String },
}

/// Translates a query; relative `date:` values count from `today`.
pub fn translate(query: &str, today: NaiveDate) -> Result<Translated, TranslateError> {
    let ast = parse_user_query(query)?;
    let mut t = Translator {
        query,
        today,
        dates: DateRange::any(),
        highlight: Highlight::default(),
        stemmer: TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build(),
        words: 0,
    };
    let text = t.node(&ast, Place::Top)?.unwrap_or_default();
    Ok(Translated {
        text,
        dates: t.dates,
        highlight: t.highlight,
        words: t.words,
    })
}

/// Where a node sits: only a required clause of the top level can be a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    /// Required, at the top level.
    TopMust,
    Inside,
    Negated,
}

struct Translator<'q> {
    query: &'q str,
    today: NaiveDate,
    dates: DateRange,
    highlight: Highlight,
    stemmer: TextAnalyzer,
    /// Free words of the top level, stop words left out.
    words: usize,
}

impl Translator<'_> {
    fn refuse<T>(&self, why: impl Into<String>) -> Result<T, TranslateError> {
        Err(TranslateError::Untranslatable {
            query: self.query.to_string(),
            why: why.into(),
        })
    }

    /// The clauses less the free stop words of the top level, as the local search drops
    /// them (`crate::search`): unless the query says itself what must match (an `OR`
    /// at the top) or holds nothing else. Counts the free words left.
    fn without_stop_words<'a>(
        &mut self,
        clauses: &'a [(Option<Occur>, UserInputAst)],
        place: Place,
    ) -> Vec<&'a (Option<Occur>, UserInputAst)> {
        let free_stop = |(occur, ast): &(Option<Occur>, UserInputAst)| {
            occur.is_none()
                && matches!(ast, UserInputAst::Leaf(leaf) if matches!(&**leaf,
                    UserInputLeaf::Literal(lit) if lit.field_name.is_none()
                        && lit.delimiter == Delimiter::None
                        && is_stop_word(&lit.phrase)))
        };
        let has_or = clauses
            .iter()
            .any(|(occur, _)| *occur == Some(Occur::Should));
        let droppable =
            place == Place::Top && !has_or && clauses.iter().any(|clause| !free_stop(clause));
        if place == Place::Top && !has_or {
            self.words = clauses
                .iter()
                .filter(|clause| clause.0.is_none() && !(droppable && free_stop(clause)))
                .count();
        }
        clauses
            .iter()
            .filter(|clause| !(droppable && free_stop(clause)))
            .collect()
    }

    /// The Sphinx text of a node; `None` when it matches every document.
    fn node(&mut self, ast: &UserInputAst, place: Place) -> Result<Option<String>, TranslateError> {
        match ast {
            UserInputAst::Leaf(leaf) => self.leaf(leaf, place),
            UserInputAst::Boost(..) => {
                self.refuse("Sphinx has no boosts (^N); leave them out for the cluster")
            }
            UserInputAst::Clause(clauses) => {
                let inner = |occur| match (place, occur) {
                    (Place::Negated, _) | (_, Occur::MustNot) => Place::Negated,
                    (Place::Top, Occur::Must) => Place::TopMust,
                    _ => Place::Inside,
                };
                let (mut must, mut should, mut not) = (Vec::new(), Vec::new(), Vec::new());
                let mut should_all = false;
                let clauses = self.without_stop_words(clauses, place);
                for (occur, child) in clauses {
                    // Words are all required (the local search's default).
                    let occur = occur.unwrap_or(Occur::Must);
                    let text = self.node(child, inner(occur))?;
                    match (occur, text) {
                        (Occur::Must, Some(t)) => must.push(t),
                        // `*` required: no narrowing.
                        (Occur::Must, None) => {}
                        (Occur::Should, Some(t)) => should.push(t),
                        (Occur::Should, None) => should_all = true,
                        (Occur::MustNot, Some(t)) => not.push(format!("-{t}")),
                        (Occur::MustNot, None) => {
                            return self.refuse("`-*` excludes every document")
                        }
                    }
                }
                if should_all {
                    should.clear();
                }
                // With required clauses, the optional ones only weigh (as locally).
                let positive = match (must.is_empty(), should.is_empty()) {
                    (true, true) => None,
                    (false, true) => Some(group(&must, " ")),
                    (true, false) => (!should_all).then(|| group(&should, " | ")),
                    (false, false) => Some(format!(
                        "({} MAYBE {})",
                        group(&must, " "),
                        group(&should, " | ")
                    )),
                };
                match positive {
                    Some(p) if !not.is_empty() => Ok(Some(format!("({p} {})", not.join(" ")))),
                    Some(p) => Ok(Some(p)),
                    None if !not.is_empty() => self.refuse(
                        "Sphinx cannot search for excluded words alone; add a word to look for",
                    ),
                    None => Ok(None),
                }
            }
        }
    }

    fn leaf(
        &mut self,
        leaf: &UserInputLeaf,
        place: Place,
    ) -> Result<Option<String>, TranslateError> {
        match leaf {
            UserInputLeaf::All => Ok(None),
            UserInputLeaf::Literal(lit) if lit.field_name.as_deref() == Some(DATE_FIELD) => {
                if !matches!(place, Place::Top | Place::TopMust) {
                    return self.refuse(
                        "date: can only narrow the whole query there (not inside OR, NOT or \
                         parentheses); use --since/--until/--on",
                    );
                }
                let range = DateRange::parse(&lit.phrase, self.today)
                    .map_err(crate::search::QueryError::from)?;
                self.dates = self.dates.intersect(range);
                Ok(None)
            }
            UserInputLeaf::Literal(lit) => self.literal(lit, place).map(Some),
            UserInputLeaf::Range { .. } => {
                self.refuse("ranges [a TO b] are not translated; use date:FROM..TO for dates")
            }
            UserInputLeaf::Set { .. } => self.refuse("IN [..] sets are not translated"),
            UserInputLeaf::Regex { .. } => self.refuse("regular expressions are not translated"),
            UserInputLeaf::Exists { .. } => self.refuse("field:* is not translated"),
        }
    }

    fn literal(&mut self, lit: &UserInputLiteral, place: Place) -> Result<String, TranslateError> {
        let (limit, fields): (String, &[&str]) = match lit.field_name.as_deref() {
            None => (format!("@({})", DEFAULT_FIELDS.join(",")), &DEFAULT_FIELDS),
            Some(TITLE) => (format!("@{TITLE}"), &[TITLE]),
            Some(BODY) => (format!("@{BODY}"), &[BODY]),
            Some(CAPTIONS) => (format!("@{CAPTIONS}"), &[CAPTIONS]),
            Some(BYLINE) => (format!("@{BYLINE}"), &[BYLINE]),
            Some(SOURCE) => (format!("@{SOURCE}"), &[]),
            Some(other) => {
                return self.refuse(format!(
                    "unknown field {other:?} (fields: {}, {SOURCE}, {DATE_FIELD})",
                    DEFAULT_FIELDS.join(", ")
                ))
            }
        };
        let starred = lit.delimiter == Delimiter::None && lit.phrase.ends_with('*');
        let words = tokens(lit.phrase.trim_end_matches('*'));
        let expression = match (words.as_slice(), lit.prefix || starred) {
            ([], _) => {
                return self.refuse(format!("nothing to look for in {:?}", lit.phrase));
            }
            ([word], true) => {
                let stem = self.stem(word);
                if stem != *word && !stem.is_empty() {
                    format!("({word}* | {stem}*)")
                } else {
                    format!("{word}*")
                }
            }
            ([word], false) => word.clone(),
            (many, prefix) => {
                let star = if prefix { "*" } else { "" };
                let slop = if lit.slop > 0 {
                    format!("~{}", lit.slop)
                } else {
                    String::new()
                };
                format!("\"{}{star}\"{slop}", many.join(" "))
            }
        };
        if place != Place::Negated {
            for field in fields {
                let list = match *field {
                    TITLE => &mut self.highlight.title,
                    BODY => &mut self.highlight.body,
                    CAPTIONS => &mut self.highlight.captions,
                    _ => continue,
                };
                if !list.contains(&expression) {
                    list.push(expression.clone());
                }
            }
        }
        Ok(format!("({limit} {expression})"))
    }

    fn stem(&mut self, word: &str) -> String {
        let mut out = String::new();
        self.stemmer
            .token_stream(word)
            .process(&mut |t| out.push_str(&t.text));
        out
    }
}

/// Words as both engines cut them: runs of letters and digits, lower-cased. Only these
/// reach Sphinx, so no character of the query is read as one of its operators.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn group(parts: &[String], separator: &str) -> String {
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("({})", parts.join(separator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 2, 6).unwrap()
    }

    const ALL: &str = "@(title,body,captions,byline)";

    #[test]
    fn translations() {
        for (query, want) in [
            ("Ukraine", format!("({ALL} ukraine)")),
            (
                "climate change",
                format!("(({ALL} climate) ({ALL} change))"),
            ),
            ("\"climate change\"", format!("({ALL} \"climate change\")")),
            ("\"big bad\"~2", format!("({ALL} \"big bad\"~2)")),
            (
                "brexit OR remain",
                format!("(({ALL} brexit) | ({ALL} remain))"),
            ),
            ("trump -biden", format!("(({ALL} trump) -({ALL} biden))")),
            ("elections*", format!("({ALL} (elections* | elect*))")),
            ("elect*", format!("({ALL} elect*)")),
            ("\"big bad wo\"*", format!("({ALL} \"big bad wo*\")")),
            ("title:brexit", "(@title brexit)".to_string()),
            ("source:reuters", "(@source reuters)".to_string()),
            ("it's", format!("({ALL} \"it s\")")),
            ("e-mail", format!("({ALL} \"e mail\")")),
            ("MAYBE", format!("({ALL} maybe)")),
            ("*", String::new()),
            ("date:2025", String::new()),
            (
                "(a OR b) AND c",
                format!("((({ALL} a) | ({ALL} b)) ({ALL} c))"),
            ),
        ] {
            let t = translate(query, today()).unwrap_or_else(|e| panic!("{query}: {e}"));
            assert_eq!(t.text, want, "{query}");
        }
    }

    #[test]
    fn dates_become_filters() {
        let t = translate("ukraine date:2024-11..2025-01", today()).unwrap();
        assert_eq!(t.text, format!("({ALL} ukraine)"));
        assert_eq!(t.dates.from, NaiveDate::from_ymd_opt(2024, 11, 1));
        assert_eq!(t.dates.to, NaiveDate::from_ymd_opt(2025, 1, 31));
    }

    #[test]
    fn refusals_say_why() {
        for (query, want) in [
            ("-biden", "excluded words alone"),
            ("ukraine OR date:2024", "date: can only narrow"),
            ("ukraine -date:2024", "date: can only narrow"),
            ("title:x^2", "boosts"),
            ("nosuch:word", "unknown field"),
            ("date:[2020 TO 2021]", "ranges"),
        ] {
            let err = translate(query, today()).unwrap_err().to_string();
            assert!(err.contains(want), "{query}: {err}");
            assert!(!err.contains('\n'));
        }
        assert!(matches!(
            translate("", today()),
            Err(TranslateError::Query(_))
        ));
    }

    #[test]
    fn highlights_per_field() {
        let t = translate("title:brexit deal* -trump", today()).unwrap();
        assert_eq!(t.highlight.title, ["brexit", "deal*"]);
        assert_eq!(t.highlight.body, ["deal*"]);
    }
}
