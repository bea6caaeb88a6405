//! From what the user typed to one tantivy query: the query text (through tantivy's query
//! grammar, with `date:` and `word*` rewritten first) and the filters (dates, sources,
//! kind) around it.

use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, QueryParser,
    QueryParserError, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{
    self, Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Schema};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Term};

use super::dates::{DateError, DateRange};
use crate::index::day::Day;
use crate::index::schema::{
    Fields, FOLDED, KIND_ARTICLE, KIND_TEASER, NAME_TOKENIZER, PROSE_TOKENIZER,
};

/// How much more a word in the title weighs than one in the body.
const TITLE_BOOST: f32 = 2.0;

/// Why a query cannot be run. One line each, said to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("empty query: give some words, or '*' for every document")]
    Empty,
    #[error("invalid query {query:?}: {message} (at character {column})")]
    Syntax {
        query: String,
        column: usize,
        message: String,
    },
    #[error("invalid query {query:?}: {message}")]
    Invalid { query: String, message: String },
    #[error(transparent)]
    Date(#[from] DateError),
}

/// Which documents a search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    Article,
    Teaser,
    /// Articles, and the teasers that are not the title of an indexed article.
    #[default]
    All,
}

/// Everything around the query text that narrows a search.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub dates: DateRange,
    /// Source slugs (see [`crate::article::slug`]); any of them matches.
    pub source_slugs: Vec<String>,
    pub kind: KindFilter,
}

/// `word*` prefixes of a query, as indexed tokens, with the field each applies to.
pub type Prefixes = Vec<(Field, String)>;

/// A query ready to run, with what snippets need to know about it.
pub struct BuiltQuery {
    pub query: Box<dyn Query>,
    /// The `word*` prefixes of the query, as indexed tokens, with the field each applies
    /// to: tantivy does not report them as query terms, so snippets expand them.
    pub prefixes: Prefixes,
}

/// Builds queries against one index; cheap to keep, built once per index.
pub struct QueryBuilder {
    parser: QueryParser,
    fields: Fields,
    schema: Schema,
    default_fields: Vec<Field>,
    /// Lower-cases and folds a prefix the way the index does, without stemming it.
    name_analyzer: TextAnalyzer,
    /// Also stems it: `elections*` looks for `elect*` as well.
    prose_analyzer: TextAnalyzer,
}

impl QueryBuilder {
    pub fn new(index: &Index, fields: Fields) -> anyhow::Result<QueryBuilder> {
        let default_fields = vec![fields.title, fields.body, fields.captions, fields.byline];
        let mut parser = QueryParser::for_index(index, default_fields.clone());
        parser.set_conjunction_by_default();
        parser.set_field_boost(fields.title, TITLE_BOOST);
        // Our own rewriting of `word*` produces regexes.
        parser.allow_regexes();
        let analyzer = |name: &str| {
            index
                .tokenizers()
                .get(name)
                .ok_or_else(|| anyhow::anyhow!("the index has no tokenizer {name:?}"))
        };
        Ok(QueryBuilder {
            parser,
            fields,
            schema: index.schema(),
            default_fields,
            name_analyzer: analyzer(NAME_TOKENIZER)?,
            prose_analyzer: analyzer(PROSE_TOKENIZER)?,
        })
    }

    /// The whole query: the text (relative `date:` values counted from `today`) and the
    /// filters. Filters do not change scores.
    pub fn build(
        &self,
        text: &str,
        filters: &Filters,
        today: NaiveDate,
    ) -> Result<BuiltQuery, QueryError> {
        let (text_query, prefixes) = self.text_query(text, today)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        let mut filter = |occur: Occur, query: Box<dyn Query>| {
            clauses.push((occur, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        if filters.dates.is_bounded() {
            filter(Occur::Must, self.date_query(&filters.dates));
        }
        if !filters.source_slugs.is_empty() {
            let sources = filters
                .source_slugs
                .iter()
                .map(|slug| -> Box<dyn Query> {
                    let term = Term::from_facet(
                        self.fields.source_facet,
                        &Facet::from_path([slug.as_str()]),
                    );
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                })
                .collect();
            filter(Occur::Must, Box::new(BooleanQuery::union(sources)));
        }
        let kind = |value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.kind, value),
                IndexRecordOption::Basic,
            ))
        };
        match filters.kind {
            KindFilter::Article => filter(Occur::Must, kind(KIND_ARTICLE)),
            KindFilter::Teaser => filter(Occur::Must, kind(KIND_TEASER)),
            KindFilter::All => {
                let folded = Term::from_field_text(self.fields.folded, FOLDED);
                filter(
                    Occur::MustNot,
                    Box::new(TermQuery::new(folded, IndexRecordOption::Basic)),
                );
            }
        }
        Ok(BuiltQuery {
            query: Box::new(BooleanQuery::new(clauses)),
            prefixes,
        })
    }

    /// Documents dated within `range` (undated ones never are).
    fn date_query(&self, range: &DateRange) -> Box<dyn Query> {
        let Some((lower, upper)) = day_bounds(range) else {
            return Box::new(EmptyQuery);
        };
        let term = |n: i64| Term::from_field_i64(self.fields.date, n);
        let bound = |b: Bound<i64>| match b {
            Bound::Included(n) => Bound::Included(term(n)),
            Bound::Excluded(n) => Bound::Excluded(term(n)),
            Bound::Unbounded => Bound::Unbounded,
        };
        // RangeQuery needs one bound to know its field.
        if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
            return Box::new(AllQuery);
        }
        Box::new(RangeQuery::new(bound(lower), bound(upper)))
    }

    /// The query text alone, with the prefixes it holds.
    pub fn text_query(
        &self,
        text: &str,
        today: NaiveDate,
    ) -> Result<(Box<dyn Query>, Prefixes), QueryError> {
        let ast = parse_user_query(text)?;
        let mut prefixes = Vec::new();
        let mut ast = self.rewrite(ast, text, today, &mut prefixes)?;
        // `-word` alone means every document but those, as in notmuch.
        if let UserInputAst::Clause(clauses) = &mut ast {
            if !clauses.is_empty()
                && clauses
                    .iter()
                    .all(|(occur, _)| *occur == Some(query_grammar::Occur::MustNot))
            {
                clauses.push((
                    Some(query_grammar::Occur::Must),
                    UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
                ));
            }
        }
        let query = self
            .parser
            .build_query_from_user_input_ast(ast)
            .map_err(|err| invalid(text, self.explain(err)))?;
        Ok((query, prefixes))
    }

    /// Rewrites what tantivy's parser would get wrong: `date:` values become ranges over
    /// the date field, one-word `word*` prefixes become regexes over the indexed terms.
    fn rewrite(
        &self,
        ast: UserInputAst,
        text: &str,
        today: NaiveDate,
        prefixes: &mut Prefixes,
    ) -> Result<UserInputAst, QueryError> {
        Ok(match ast {
            UserInputAst::Clause(clauses) => UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(occur, child)| Ok((occur, self.rewrite(child, text, today, prefixes)?)))
                    .collect::<Result<_, QueryError>>()?,
            ),
            UserInputAst::Boost(child, boost) => UserInputAst::Boost(
                Box::new(self.rewrite(*child, text, today, prefixes)?),
                boost,
            ),
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(lit)
                    if lit.field_name.as_deref() == Some(self.date_name()) =>
                {
                    if lit.prefix {
                        return Err(DateError::Invalid(format!("{}*", lit.phrase)).into());
                    }
                    date_leaf(self.date_name(), DateRange::parse(&lit.phrase, today)?)
                }
                // `word*` reaches us as the word with its star; `"a phrase"*` as a prefix.
                UserInputLeaf::Literal(lit) if lit.prefix || is_starred_word(&lit) => {
                    let stem = lit.phrase.trim_end_matches('*');
                    let mut tokens = Vec::new();
                    self.name_analyzer
                        .clone()
                        .token_stream(stem)
                        .process(&mut |t| tokens.push(t.text.clone()));
                    match tokens.as_slice() {
                        [] => {
                            return Err(invalid(
                                text,
                                format!("nothing to look for in {:?}", format!("{stem}*")),
                            ))
                        }
                        [token] => {
                            let fields = match &lit.field_name {
                                None => self.default_fields.clone(),
                                Some(name) => vec![self.text_field(name, text)?],
                            };
                            self.prefix_leaf(token, &fields, prefixes)
                        }
                        // Two words or more: tantivy's phrase prefix does it.
                        _ => {
                            let phrase = stem.to_string();
                            UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
                                phrase,
                                prefix: true,
                                ..lit
                            })))
                        }
                    }
                }
                // tantivy answers `field:*` only on fast fields, with a schema error.
                UserInputLeaf::Exists { field } => {
                    return Err(invalid(
                        text,
                        format!("{field}:* (any value) is not supported: give words to look for"),
                    ))
                }
                leaf => UserInputAst::Leaf(Box::new(leaf)),
            },
        })
    }

    /// tantivy's errors in the user's words.
    fn explain(&self, err: QueryParserError) -> String {
        match err {
            QueryParserError::FieldDoesNotExist(name) => {
                format!(
                    "unknown field {name:?} (fields: {}; quote the words to search for a colon)",
                    self.query_fields()
                )
            }
            QueryParserError::DateFormatError(_) => "invalid date".to_string(),
            QueryParserError::AllButQueryForbidden => "only excluded words".to_string(),
            other => {
                let message = other.to_string();
                let mut chars = message.chars();
                // tantivy's own words, starting lower-case like the rest of the line.
                match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => message,
                }
            }
        }
    }

    /// The name of the date field, which is also the `date:` of queries.
    fn date_name(&self) -> &str {
        self.schema.get_field_name(self.fields.date)
    }

    /// The fields a query may name, for error messages.
    fn query_fields(&self) -> String {
        let mut names: Vec<&str> = self
            .default_fields
            .iter()
            .map(|&f| self.schema.get_field_name(f))
            .collect();
        names.push(self.schema.get_field_name(self.fields.source));
        names.push(self.date_name());
        names.join(", ")
    }

    /// A field that holds text, by name.
    fn text_field(&self, name: &str, text: &str) -> Result<Field, QueryError> {
        let unknown = || {
            invalid(
                text,
                format!("unknown field {name:?} (fields: {})", self.query_fields()),
            )
        };
        let field = self.schema.get_field(name).map_err(|_| unknown())?;
        match self.schema.get_field_entry(field).field_type() {
            tantivy::schema::FieldType::Str(_) => Ok(field),
            _ => Err(invalid(
                text,
                format!("field {name:?} does not take a word* prefix"),
            )),
        }
    }

    /// `token*` over `fields`: the indexed terms that start with the token or its stem.
    fn prefix_leaf(&self, token: &str, fields: &[Field], prefixes: &mut Prefixes) -> UserInputAst {
        let mut stems = vec![token.to_string()];
        self.prose_analyzer
            .clone()
            .token_stream(token)
            .process(&mut |t| {
                if !stems.contains(&t.text) && !t.text.is_empty() {
                    stems.push(t.text.clone());
                }
            });
        let alternatives: Vec<String> = stems.iter().map(|s| regex_escape(s)).collect();
        let pattern = format!("(?:{}).*", alternatives.join("|"));
        let leaves = fields
            .iter()
            .map(|&field| {
                for stem in &stems {
                    prefixes.push((field, stem.clone()));
                }
                UserInputAst::Leaf(Box::new(UserInputLeaf::Regex {
                    field: Some(self.schema.get_field_name(field).to_string()),
                    pattern: pattern.clone(),
                }))
            })
            .collect();
        UserInputAst::or(leaves)
    }
}

/// The query text as tantivy's grammar reads it, before any rewriting; also what a
/// remote search translates (`crate::cluster`).
pub(crate) fn parse_user_query(text: &str) -> Result<UserInputAst, QueryError> {
    if text.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let parsed = apostrophes(text);
    query_grammar::parse_query(&parsed).map_err(|_| syntax_error(text, &parsed))
}

fn is_starred_word(lit: &UserInputLiteral) -> bool {
    lit.delimiter == Delimiter::None && lit.phrase.ends_with('*')
}

/// The stored day numbers within `range` (see [`Day`]), or `None` when no stored day is:
/// the one place a date range becomes bounds, for the filters and for `date:` alike.
fn day_bounds(range: &DateRange) -> Option<(Bound<i64>, Bound<i64>)> {
    if range.is_empty() {
        return None;
    }
    // Ends beyond the calendar an index holds (0001..9999) are clamped to it.
    let lower = match range.from {
        None => Bound::Unbounded,
        Some(d) if d < Day::FIRST.date() => Bound::Unbounded,
        Some(d) => Bound::Included(Day::from_date(d)?.number()),
    };
    let upper = match range.to {
        None => Bound::Unbounded,
        Some(d) if d < Day::FIRST.date() => return None,
        Some(d) => match Day::from_date(d) {
            Some(day) => Bound::Included(day.number()),
            None => Bound::Unbounded,
        },
    };
    Some((lower, upper))
}

/// `date:` as a range leaf over the date field's day numbers.
fn date_leaf(field: &str, range: DateRange) -> UserInputAst {
    let Some((lower, upper)) = day_bounds(&range) else {
        return UserInputAst::Clause(vec![(
            Some(query_grammar::Occur::MustNot),
            UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
        )]);
    };
    let bound = |b: Bound<i64>| match b {
        Bound::Included(n) => UserInputBound::Inclusive(n.to_string()),
        Bound::Excluded(n) => UserInputBound::Exclusive(n.to_string()),
        Bound::Unbounded => UserInputBound::Unbounded,
    };
    UserInputAst::Leaf(Box::new(UserInputLeaf::Range {
        field: Some(field.to_string()),
        lower: bound(lower),
        upper: bound(upper),
    }))
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn invalid(query: &str, message: String) -> QueryError {
    QueryError::Invalid {
        query: query.to_string(),
        message,
    }
}

/// The grammar's own account of a syntax error: what it expected, and where.
fn syntax_error(query: &str, parsed: &str) -> QueryError {
    let (_, errors) = query_grammar::parse_query_lenient(parsed);
    let (pos, message) = errors.into_iter().next().map_or_else(
        || {
            (
                parsed.len(),
                "check its quotes, parentheses and AND/OR/NOT".to_string(),
            )
        },
        |e| (e.pos, e.message),
    );
    // Counted in `parsed`, which has as many chars as `query`.
    let column = parsed
        .get(..pos)
        .map_or(parsed.chars().count(), |s| s.chars().count())
        + 1;
    QueryError::Syntax {
        query: query.to_string(),
        column,
        message,
    }
}

/// An ASCII apostrophe inside or at the end of a word (`it's`, `Jesus'`) is part of the
/// word, not a quote as tantivy's grammar reads it: make it a typographic one, which the
/// tokenizer splits on all the same. Quotes that open a phrase (`'a phrase'`) stay.
fn apostrophes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\'') {
        return text.into();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_single, mut in_double) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        match c {
            '"' if !in_single => in_double = !in_double,
            '\'' if !in_double => {
                let closes = in_single && !after.is_some_and(char::is_alphanumeric);
                let in_word = before.is_some_and(char::is_alphanumeric);
                if closes {
                    in_single = false;
                } else if in_word {
                    out.push('\u{2019}');
                    continue;
                } else {
                    in_single = true;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::testing::test_index;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 2, 6).unwrap()
    }

    fn builder() -> &'static QueryBuilder {
        static BUILDER: std::sync::OnceLock<QueryBuilder> = std::sync::OnceLock::new();
        BUILDER.get_or_init(|| {
            let (index, fields) = test_index(&[]);
            QueryBuilder::new(&index, fields).unwrap()
        })
    }

    #[test]
    fn errors_are_one_line() {
        let b = builder();
        for (text, want) in [
            ("", "empty query"),
            ("   ", "empty query"),
            ("title:", "invalid query \"title:\""),
            ("nosuch:word", "unknown field \"nosuch\""),
            ("date:someday", "invalid date \"someday\""),
            ("date:2025..2024", "ends before it starts"),
            ("\"unclosed", "invalid query"),
            ("OR", "check its quotes"),
        ] {
            let err = match b.build(text, &Filters::default(), today()) {
                Ok(_) => panic!("{text:?} should not build"),
                Err(err) => err.to_string(),
            };
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{text:?}: {err}");
        }
    }

    #[test]
    fn accepted_forms() {
        let b = builder();
        for text in [
            "ukraine",
            "climate change",
            "\"climate change\"",
            "trump OR biden",
            "trump -biden",
            "-biden",
            "title:ukraine body:war",
            "byline:sheridan",
            "source:reuters",
            "source:\"the hill\"",
            "elect*",
            "title:elect*",
            "\"big bad wo\"*",
            "date:2025-02",
            "date:2024-11..2025-01 ukraine",
            "date:2025-02-01..",
            "date:\"last week\"",
            "ukraine -date:2024",
            "*",
            "(a OR b) AND c",
            "it's",
            "Ukraine's war",
            "Jesus' words",
            "'single quoted phrase'",
        ] {
            if let Err(err) = b.build(text, &Filters::default(), today()) {
                panic!("{text:?}: {err}");
            }
        }
    }

    #[test]
    fn prefixes_are_reported_for_snippets() {
        let b = builder();
        let (index, fields) = test_index(&[]);
        let _ = index;
        let built = b.build("Elections*", &Filters::default(), today()).unwrap();
        let bodies: Vec<&str> = built
            .prefixes
            .iter()
            .filter(|(f, _)| *f == fields.body)
            .map(|(_, p)| p.as_str())
            .collect();
        assert_eq!(bodies, ["elections", "elect"]);
    }

    use proptest::prelude::*;

    #[test]
    fn apostrophes_in_words() {
        for (text, want) in [
            ("it's", "it\u{2019}s"),
            ("Jesus' words", "Jesus\u{2019} words"),
            ("'a phrase'", "'a phrase'"),
            ("'it's here' x", "'it\u{2019}s here' x"),
            ("\"it's\"", "\"it's\""),
            ("title:'x y'", "title:'x y'"),
        ] {
            assert_eq!(apostrophes(text), want, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = builder().build(&text, &Filters::default(), today());
        }

        #[test]
        fn never_panics_on_query_syntax(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::string::string_regex("[a-z]{1,6}").unwrap(),
                    proptest::sample::select(vec![
                        "\"", "(", ")", "-", "+", "*", ":", "title:", "date:", "source:", "OR",
                        "AND", "NOT", "..", "^2", "~1", "[", "]", "{", "}", "TO", "2025",
                        "2025-02", "7d", "IN", "/", "\\", "'", "!", " ",
                    ]).prop_map(str::to_string),
                ],
                0..12,
            )
        ) {
            let text = parts.join(" ");
            let _ = builder().build(&text, &Filters::default(), today());
            let glued = parts.concat();
            let _ = builder().build(&glued, &Filters::default(), today());
        }
    }
}
