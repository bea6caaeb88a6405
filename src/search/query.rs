//! From what the user typed to tantivy queries: the query text (through tantivy's query
//! grammar, with `date:`, `word*` and `word~N` rewritten first) and the filters (dates,
//! sources, kind) around it.
//!
//! The text is split in two: the *free words* (plain words at its top level, as people
//! type them) and everything else (phrases, fields, `+word`, `-word`, `OR` groups,
//! `date:`), which every hit must match as written. How many free words a hit must hold
//! is the matching strategy's business ([`BuiltQuery::query`]); stop words are left out
//! of the free words here, at query time, so the index stays as it is (see
//! [`is_stop_word`]).

use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query, QueryParser,
    QueryParserError, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{
    self, Delimiter, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::schema::{Facet, Field, FieldType, IndexRecordOption, Schema};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Score, Searcher, Term};

use super::dates::{DateError, DateRange};
use crate::index::day::Day;
use crate::index::schema::{
    Fields, FOLDED, KIND_ARTICLE, KIND_TEASER, NAME_TOKENIZER, PROSE_TOKENIZER,
};

/// How much more a word in the title weighs than one in the body.
const TITLE_BOOST: f32 = 2.0;
/// Deepest nesting of parentheses a query may have: the grammar recurses on them, and a
/// few thousand levels overflowed the stack.
pub const MAX_DEPTH: usize = 32;
/// Most indexed terms one `word~N` stands for (the most frequent ones are kept).
const MAX_FUZZY_TERMS: usize = 64;
/// Largest edit distance of `word~N`.
const MAX_FUZZY_DISTANCE: u32 = 2;

/// English function words. In free text they neither require nor rank (a question typed
/// in full, "what are the effects of …", is about its other words); inside quotes, and in
/// a query made only of them ("the who"), they count as any word. Lucene's English stop
/// set plus the words questions are made of; not `us`, `may`, `will`, `can`, `who`, `new`,
/// which are news words too (US, Theresa May, WHO). Done at query time rather than at
/// index time: phrases keep every word (`"to be or not to be"`), the list can change
/// without re-indexing an archive, and existing indexes keep working.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but",
    "by", "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into",
    "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "so", "some", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "to", "was", "we", "were", "what", "when", "where", "which", "why", "with", "you", "your",
];

/// Whether `word` (as typed, any case) is a stop word of free text.
pub fn is_stop_word(word: &str) -> bool {
    // Indexed terms are lower case already: no copy for them.
    if !word.chars().any(char::is_uppercase) {
        return STOP_WORDS.binary_search(&word).is_ok();
    }
    let lower = word.to_lowercase();
    STOP_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// How many of the free words of a query a hit must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchStrategy {
    /// Every one.
    All,
    /// As many as enough documents hold (see `crate::search`).
    Most,
    /// At least one.
    Any,
}

impl MatchStrategy {
    pub fn name(self) -> &'static str {
        match self {
            MatchStrategy::All => "all",
            MatchStrategy::Most => "most",
            MatchStrategy::Any => "any",
        }
    }
}

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
    #[error("invalid query: its parentheses nest {depth} deep, at most {MAX_DEPTH} are allowed")]
    TooDeep { depth: usize },
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

/// A query ready to run, in the pieces the matching strategies put together, with what
/// snippets need to know about it.
pub struct BuiltQuery {
    /// What every hit must (or must not) match, whatever the strategy: the query's
    /// phrases, fields, `+word`, `-word`, `OR` groups and `date:`, and the filters.
    required: Vec<(Occur, Box<dyn Query>)>,
    /// The free words: plain words at the top level of the query, stop words left out
    /// (unless the query has nothing else).
    pub words: Vec<Word>,
    /// The `word*` prefixes of the query, as indexed tokens, with the field each applies
    /// to: tantivy does not report them as query terms, so snippets expand them.
    pub prefixes: Prefixes,
    /// The indexed terms a `word~N` stands for, with their field: snippets mark them.
    pub expansions: Vec<(Field, String)>,
}

/// One free word of a query.
pub struct Word {
    /// As typed; empty for a group of alternatives (`a OR b`).
    pub text: String,
    query: Box<dyn Query>,
    /// For a word the analyzer cuts in several (`medium-frequency`, `U.S.`), its pieces
    /// as separate words, held when any is: what the fallback asks for, since the
    /// phrase holds only where they stand side by side.
    loose: Option<Box<dyn Query>>,
    /// How often it was typed (its query term frequency).
    pub weight: usize,
    /// A plain word of one indexed term, over the fields as one text (BM25F): how it
    /// ranks when the search falls back to most of the words.
    combined: Option<Box<dyn Query>>,
}

impl Word {
    /// What this word asks for when the search falls back to most of the words.
    fn fallback(&self) -> &dyn Query {
        self.combined
            .as_deref()
            .or(self.loose.as_deref())
            .unwrap_or(&*self.query)
    }
}

impl BuiltQuery {
    /// The query with one more clause every hit must (or must not) match (`similar`
    /// builds its more-like-this query around the filters this way).
    pub fn with(mut self, occur: Occur, query: Box<dyn Query>) -> BuiltQuery {
        self.required.push((occur, query));
        self
    }

    /// The query asking for at least `required` of the free words (every one when it is
    /// their number or more), and for all the rest. Scores are BM25 over what matched.
    pub fn query(&self, required: usize) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .required
            .iter()
            .map(|(occur, q)| (*occur, q.box_clone()))
            .collect();
        if required >= self.words.len() {
            clauses.extend(
                self.words
                    .iter()
                    .map(|w| (Occur::Must, w.query.box_clone())),
            );
            return Box::new(BooleanQuery::new(clauses));
        }
        clauses.extend(
            self.words
                .iter()
                .map(|w| (Occur::Should, w.fallback().box_clone())),
        );
        Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses,
            required.max(1),
        ))
    }

    /// The documents that match all the rest and hold at least one free word, each
    /// scored by how many free words it holds: one pass tells how many documents hold
    /// how many words.
    pub fn word_count_query(&self) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .required
            .iter()
            .map(|(occur, q)| -> (Occur, Box<dyn Query>) {
                match occur {
                    Occur::MustNot => (*occur, q.box_clone()),
                    _ => (*occur, Box::new(ConstScoreQuery::new(q.box_clone(), 0.0))),
                }
            })
            .collect();
        clauses.extend(self.words.iter().map(|w| -> (Occur, Box<dyn Query>) {
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(w.fallback().box_clone(), 1.0)),
            )
        }));
        Box::new(BooleanQuery::with_minimum_required_clauses(clauses, 1))
    }
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

    /// The whole query: the text (relative `date:` values counted from `today`; `word~N`
    /// looked up in `searcher`'s vocabulary) and the filters. Filters do not change scores.
    pub fn build(
        &self,
        searcher: &Searcher,
        text: &str,
        filters: &Filters,
        today: NaiveDate,
    ) -> Result<BuiltQuery, QueryError> {
        let mut built = self.text_query(searcher, text, today)?;
        let mut filter = |occur: Occur, query: Box<dyn Query>| {
            built
                .required
                .push((occur, Box::new(ConstScoreQuery::new(query, 0.0))));
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
        Ok(built)
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

    /// The query text alone, split into free words and the rest.
    pub fn text_query(
        &self,
        searcher: &Searcher,
        text: &str,
        today: NaiveDate,
    ) -> Result<BuiltQuery, QueryError> {
        let ast = parse_user_query(text)?;
        let clauses = match self.habits(ast) {
            UserInputAst::Clause(clauses) => clauses,
            other => vec![(None, other)],
        };
        // Free words only where words are joined by the default operator: with an `OR`
        // at the top, the query says itself what must match.
        let has_or = clauses
            .iter()
            .any(|(occur, _)| *occur == Some(query_grammar::Occur::Should));
        let clauses = if has_or { clauses } else { ungroup(clauses) };
        let (mut free, mut rest): (Vec<_>, Vec<_>) =
            clauses.into_iter().partition(|(occur, ast)| {
                !has_or && occur.is_none() && (free_word(ast).is_some() || is_or_group(ast))
            });
        let content = free.iter().filter(|(_, ast)| !is_stop(ast)).count();
        if content > 0 || !rest.is_empty() {
            free.retain(|(_, ast)| !is_stop(ast));
        }
        if free.is_empty() && rest.is_empty() {
            return Err(QueryError::Empty);
        }
        let must_not = Some(query_grammar::Occur::MustNot);
        // `-word` alone means every document but those, as in notmuch.
        if free.is_empty() && rest.iter().all(|(occur, _)| *occur == must_not) {
            rest.push((
                Some(query_grammar::Occur::Must),
                UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
            ));
        }

        let mut built = BuiltQuery {
            required: Vec::new(),
            words: Vec::new(),
            prefixes: Vec::new(),
            expansions: Vec::new(),
        };

        let compile = |ast: UserInputAst, built: &mut BuiltQuery| {
            let ast = self.rewrite(ast, text, today, searcher, built)?;
            self.parser
                .build_query_from_user_input_ast(ast)
                .map_err(|err| invalid(text, self.explain(err)))
        };
        // Query term frequency, as Lucene's BM25 sums a repeated word: a word typed n
        // times, or in n forms with one stem (`network networks`), is one free word that
        // weighs n. The grammar keeps one of identical words, so they are counted in the
        // text.
        let typed = typed_stems(&self.prose_analyzer, &apostrophes(&straight_quotes(text)));
        let mut stems: Vec<String> = Vec::new();
        for (_, ast) in free {
            let stem = plain_word(&ast).map(|w| tokens(&self.prose_analyzer, w).join(" "));
            let mut weight = 1;
            if let Some(stem) = stem.filter(|s| !s.is_empty()) {
                if stems.contains(&stem) {
                    continue;
                }
                weight = typed.iter().filter(|t| **t == stem).count().max(1);
                stems.push(stem);
            }
            let word = free_word(&ast).unwrap_or_default().to_string();
            let pieces = match plain_word(&ast) {
                Some(w) => tokens(&self.name_analyzer, w),
                None => Vec::new(),
            };
            let weigh = |query: Box<dyn Query>| -> Box<dyn Query> {
                match weight {
                    1 => query,
                    n => Box::new(BoostQuery::new(query, n as Score)),
                }
            };
            // One indexed term (not `word*` nor `word~N`, which stand for several).
            let combined = match (plain_word(&ast), pieces.len()) {
                (Some(w), 1) if !w.contains(['*', '~']) => {
                    match tokens(&self.prose_analyzer, w).as_slice() {
                        [stem] => Some(weigh(self.term_query(stem))),
                        _ => None,
                    }
                }
                _ => None,
            };
            let loose = if pieces.len() > 1 {
                let either = pieces
                    .into_iter()
                    .map(|piece| {
                        let lit = UserInputLiteral {
                            field_name: None,
                            phrase: piece,
                            delimiter: Delimiter::None,
                            slop: 0,
                            prefix: false,
                        };
                        let leaf = UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit)));
                        (Some(query_grammar::Occur::Should), leaf)
                    })
                    .collect();
                Some(weigh(compile(UserInputAst::Clause(either), &mut built)?))
            } else {
                None
            };
            let query = weigh(compile(ast, &mut built)?);
            built.words.push(Word {
                text: word,
                query,
                loose,
                weight,
                combined,
            });
        }
        // Excluded parts on their own: with the free words apart, a clause of them alone
        // would match nothing.
        let (excluded, rest): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .filter(|(_, ast)| !matches!(ast, UserInputAst::Clause(c) if c.is_empty()))
            .partition(|(occur, _)| *occur == must_not);
        for (_, ast) in excluded {
            let query = compile(ast, &mut built)?;
            built.required.push((Occur::MustNot, query));
        }
        if !rest.is_empty() {
            let query = compile(UserInputAst::Clause(rest), &mut built)?;
            built.required.push((Occur::Must, query));
        }
        Ok(built)
    }

    /// What people mean by the query habits tantivy's grammar reads otherwise: a
    /// `word:` that names no field is two words (a pasted headline `Trump: Biden …`);
    /// `a AND NOT b` is `a -b`; lowercase `a or b` between two words is `a OR b`.
    fn habits(&self, ast: UserInputAst) -> UserInputAst {
        match ast {
            UserInputAst::Clause(clauses) => {
                let mut out: Vec<(Option<query_grammar::Occur>, UserInputAst)> = Vec::new();
                for (occur, child) in clauses {
                    let child = self.habits(child);
                    let and = matches!(occur, None | Some(query_grammar::Occur::Must));
                    match child {
                        // `AND NOT b`: the grammar makes `+(-b)`, which matches nothing.
                        UserInputAst::Clause(inner)
                            if and
                                && !inner.is_empty()
                                && inner
                                    .iter()
                                    .all(|(o, _)| *o == Some(query_grammar::Occur::MustNot)) =>
                        {
                            out.extend(inner)
                        }
                        // A pasted `Word: more words` at the top, split into words.
                        UserInputAst::Clause(inner)
                            if occur.is_none() && is_split_field(&inner) =>
                        {
                            out.extend(inner)
                        }
                        child => out.push((occur, child)),
                    }
                }
                UserInputAst::Clause(or_groups(out))
            }
            UserInputAst::Boost(child, boost) => {
                UserInputAst::Boost(Box::new(self.habits(*child)), boost)
            }
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(lit)
                    if lit
                        .field_name
                        .as_deref()
                        .is_some_and(|name| self.schema.get_field(name).is_err()) =>
                {
                    let name = lit.field_name.clone().unwrap_or_default();
                    let word = UserInputLiteral {
                        field_name: None,
                        phrase: name,
                        delimiter: Delimiter::None,
                        slop: 0,
                        prefix: false,
                    };
                    UserInputAst::Clause(vec![
                        (
                            None,
                            UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(word))),
                        ),
                        (
                            None,
                            UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(
                                UserInputLiteral {
                                    field_name: None,
                                    ..lit
                                },
                            ))),
                        ),
                    ])
                }
                leaf => UserInputAst::Leaf(Box::new(leaf)),
            },
        }
    }

    /// Rewrites what tantivy's parser would get wrong: `date:` values become ranges over
    /// the date field, one-word `word*` prefixes become regexes over the indexed terms,
    /// `word~N` the indexed terms within N edits, `field:*` any term of a text field.
    fn rewrite(
        &self,
        ast: UserInputAst,
        text: &str,
        today: NaiveDate,
        searcher: &Searcher,
        built: &mut BuiltQuery,
    ) -> Result<UserInputAst, QueryError> {
        Ok(match ast {
            UserInputAst::Clause(clauses) => UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(occur, child)| {
                        Ok((occur, self.rewrite(child, text, today, searcher, built)?))
                    })
                    .collect::<Result<_, QueryError>>()?,
            ),
            UserInputAst::Boost(child, boost) => UserInputAst::Boost(
                Box::new(self.rewrite(*child, text, today, searcher, built)?),
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
                // `word~N` reaches us as one word with its tilde.
                UserInputLeaf::Literal(lit) if fuzzy_word(&lit).is_some() => {
                    let (word, distance) = fuzzy_word(&lit).unwrap_or_default();
                    let fields = match &lit.field_name {
                        None => self.default_fields.clone(),
                        Some(name) => vec![self.text_field(name, text, "a word~N")?],
                    };
                    self.fuzzy_leaf(word, distance, &fields, text, searcher, built)?
                }
                // `word*` reaches us as the word with its star; `"a phrase"*` as a prefix.
                UserInputLeaf::Literal(lit) if lit.prefix || is_starred_word(&lit) => {
                    let stem = lit.phrase.trim_end_matches('*');
                    let tokens = tokens(&self.name_analyzer, stem);
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
                                Some(name) => {
                                    vec![self.text_field(name, text, "a word* prefix")?]
                                }
                            };
                            self.prefix_leaf(token, &fields, &mut built.prefixes)
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
                // `title:*`: tantivy wants a fast field; any indexed term says as much.
                UserInputLeaf::Exists { field } if self.is_text_field(&field) => {
                    UserInputAst::Leaf(Box::new(UserInputLeaf::Regex {
                        field: Some(field),
                        pattern: ".*".to_string(),
                    }))
                }
                // Other fields: tantivy answers `field:*` only on fast fields, with a
                // schema error.
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

    /// `word~N` over `fields`: the indexed terms within `distance` edits (a swap of two
    /// letters counting one) of the word or of its stem, the most frequent first, found
    /// with a Levenshtein automaton over each segment's term dictionary.
    fn fuzzy_leaf(
        &self,
        word: &str,
        distance: u32,
        fields: &[Field],
        text: &str,
        searcher: &Searcher,
        built: &mut BuiltQuery,
    ) -> Result<UserInputAst, QueryError> {
        if distance > MAX_FUZZY_DISTANCE {
            return Err(invalid(
                text,
                format!("{word}~{distance}: at most ~{MAX_FUZZY_DISTANCE} edits"),
            ));
        }
        let mut forms = tokens(&self.name_analyzer, word);
        if forms.len() != 1 {
            return Err(invalid(text, format!("{word}~{distance}: one word only")));
        }
        for stem in tokens(&self.prose_analyzer, word) {
            if !forms.contains(&stem) {
                forms.push(stem);
            }
        }
        let mut leaves = Vec::new();
        for &field in fields {
            let mut found = super::suggest::within_distance(searcher, field, &forms, distance)
                .map_err(|err| invalid(text, format!("reading the index: {err}")))?;
            found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            found.truncate(MAX_FUZZY_TERMS);
            if found.is_empty() {
                continue;
            }
            let alternatives: Vec<String> = found.iter().map(|(t, _)| regex_escape(t)).collect();
            for (term, _) in found {
                built.expansions.push((field, term));
            }
            leaves.push(UserInputAst::Leaf(Box::new(UserInputLeaf::Regex {
                field: Some(self.schema.get_field_name(field).to_string()),
                pattern: format!("(?:{})", alternatives.join("|")),
            })));
        }
        if leaves.is_empty() {
            // Nothing near enough: the word as it is (it matches nothing, honestly).
            let mut lit = UserInputLiteral {
                field_name: None,
                phrase: forms[0].clone(),
                delimiter: Delimiter::None,
                slop: 0,
                prefix: false,
            };
            if fields.len() == 1 {
                lit.field_name = Some(self.schema.get_field_name(fields[0]).to_string());
            }
            return Ok(UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit))));
        }
        Ok(UserInputAst::or(leaves))
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

    /// An indexed term of the prose fields (a stem) over the fields a typed word is
    /// looked for in, as one text (BM25F, see [`super::bm25f`]): the title's words
    /// weigh [`TITLE_BOOST`] times the others'.
    pub fn term_query(&self, stem: &str) -> Box<dyn Query> {
        let terms = self
            .default_fields
            .iter()
            .map(|&field| {
                let weight = if field == self.fields.title {
                    TITLE_BOOST
                } else {
                    1.0
                };
                (Term::from_field_text(field, stem), weight)
            })
            .collect();
        Box::new(super::bm25f::CombinedTermQuery::new(terms))
    }

    /// Lower-cases and folds like the index, without stemming.
    pub fn name_analyzer(&self) -> &TextAnalyzer {
        &self.name_analyzer
    }

    /// Lower-cases, folds and stems like the index's prose fields.
    pub fn prose_analyzer(&self) -> &TextAnalyzer {
        &self.prose_analyzer
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

    /// Whether `name` is a field that holds text.
    fn is_text_field(&self, name: &str) -> bool {
        self.schema.get_field(name).is_ok_and(|field| {
            matches!(
                self.schema.get_field_entry(field).field_type(),
                FieldType::Str(_)
            )
        })
    }

    /// A field that holds text, by name.
    fn text_field(&self, name: &str, text: &str, what: &str) -> Result<Field, QueryError> {
        let unknown = || {
            invalid(
                text,
                format!("unknown field {name:?} (fields: {})", self.query_fields()),
            )
        };
        let field = self.schema.get_field(name).map_err(|_| unknown())?;
        match self.schema.get_field_entry(field).field_type() {
            FieldType::Str(_) => Ok(field),
            _ => Err(invalid(
                text,
                format!("field {name:?} does not take {what}"),
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

/// The query text as tantivy's grammar reads it, before any rewriting: bounded nesting,
/// curly quotes made straight; also what a remote search translates (`crate::cluster`).
pub(crate) fn parse_user_query(text: &str) -> Result<UserInputAst, QueryError> {
    if text.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let depth = nesting_depth(text);
    if depth > MAX_DEPTH {
        return Err(QueryError::TooDeep { depth });
    }
    // Same number of chars as `text`, so that error columns still point into it.
    let parsed = apostrophes(&straight_quotes(text)).into_owned();
    query_grammar::parse_query(&parsed).map_err(|_| syntax_error(text, &parsed))
}

fn is_starred_word(lit: &UserInputLiteral) -> bool {
    lit.delimiter == Delimiter::None && lit.phrase.ends_with('*')
}

/// `word~N` as (word, N). The grammar keeps the tilde in the word (`obama~1`); tantivy
/// would read it as the phrase "obama 1".
fn fuzzy_word(lit: &UserInputLiteral) -> Option<(&str, u32)> {
    if lit.delimiter != Delimiter::None || lit.prefix {
        return None;
    }
    let (word, distance) = lit.phrase.rsplit_once('~')?;
    if word.is_empty() || word.contains('~') {
        return None;
    }
    let distance = if distance.is_empty() {
        // Lucene's `word~` alone: the largest distance.
        MAX_FUZZY_DISTANCE
    } else {
        distance.parse().ok()?
    };
    Some((word, distance))
}

/// The text of a free word: a word or a quoted phrase with no field, as typed (a phrase
/// counts as one word, and never as a stop word).
fn free_word(ast: &UserInputAst) -> Option<&str> {
    match ast {
        UserInputAst::Leaf(leaf) => match &**leaf {
            UserInputLeaf::Literal(lit) if lit.field_name.is_none() && !lit.prefix => {
                Some(lit.phrase.as_str())
            }
            _ => None,
        },
        _ => None,
    }
}

/// The query's words with the parentheses that only group words (`(MEDLARS)`,
/// `(e.g., SDC, Lockheed)` in a pasted sentence) taken away: joined by the default
/// operator, every word is required either way, and apart they count one by one when
/// the search falls back to most of the words, instead of the group being required.
fn ungroup(
    clauses: Vec<(Option<query_grammar::Occur>, UserInputAst)>,
) -> Vec<(Option<query_grammar::Occur>, UserInputAst)> {
    let mut out = Vec::new();
    for (occur, ast) in clauses {
        match ast {
            UserInputAst::Clause(inner) if occur.is_none() && is_split_field(&inner) => {
                out.extend(ungroup(inner))
            }
            ast => out.push((occur, ast)),
        }
    }
    out
}

/// A group of alternatives, `(a OR b)` or a lowercase `a or b`: one free word, held when
/// any of them is.
fn is_or_group(ast: &UserInputAst) -> bool {
    matches!(ast, UserInputAst::Clause(inner)
        if !inner.is_empty()
            && inner.iter().all(|(occur, _)| *occur == Some(query_grammar::Occur::Should)))
}

/// A free word that is not a phrase.
fn plain_word(ast: &UserInputAst) -> Option<&str> {
    match ast {
        UserInputAst::Leaf(leaf) => match &**leaf {
            UserInputLeaf::Literal(lit) if lit.delimiter == Delimiter::None => free_word(ast),
            _ => None,
        },
        _ => None,
    }
}

/// The stems of the words typed in the free text, one entry per time typed: outside
/// quotes, without `-word`, `+word` and `field:value`.
fn typed_stems(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut quoted = false;
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let quotes = word.matches('"').count();
        let skip = quoted || quotes > 0 || word.starts_with(['-', '+']) || word.contains(':');
        quoted ^= quotes % 2 == 1;
        if !skip {
            out.push(tokens(analyzer, word.trim_matches(['(', ')'])).join(" "));
        }
    }
    out
}

/// A free word that is a stop word (not a phrase).
fn is_stop(ast: &UserInputAst) -> bool {
    match ast {
        UserInputAst::Leaf(leaf) => matches!(&**leaf, UserInputLeaf::Literal(lit)
            if lit.delimiter == Delimiter::None && is_stop_word(&lit.phrase)),
        _ => false,
    }
}

/// A clause list made of words joined by the default operator only.
fn is_split_field(clauses: &[(Option<query_grammar::Occur>, UserInputAst)]) -> bool {
    !clauses.is_empty() && clauses.iter().all(|(occur, _)| occur.is_none())
}

/// Lowercase `or` between two words (neither a stop word) is the `OR` operator: people
/// type `brexit or remain` and mean either. `a or b or c` is one group.
fn or_groups(
    clauses: Vec<(Option<query_grammar::Occur>, UserInputAst)>,
) -> Vec<(Option<query_grammar::Occur>, UserInputAst)> {
    let is_or = |c: &(Option<query_grammar::Occur>, UserInputAst)| {
        c.0.is_none() && is_stop(&c.1) && free_word(&c.1) == Some("or")
    };
    let is_word = |c: &(Option<query_grammar::Occur>, UserInputAst)| {
        c.0.is_none() && free_word(&c.1).is_some() && !is_stop(&c.1)
    };
    if !clauses.iter().any(is_or) {
        return clauses;
    }
    let mut out: Vec<(Option<query_grammar::Occur>, UserInputAst)> = Vec::new();
    // Whether the last of `out` is a group made here.
    let mut last_is_group = false;
    let mut items = clauses.into_iter().peekable();
    while let Some(item) = items.next() {
        let joins = is_or(&item)
            && (last_is_group || out.last().is_some_and(is_word))
            && items.peek().is_some_and(is_word);
        if !joins {
            last_is_group = false;
            out.push(item);
            continue;
        }
        let Some(next) = items.next() else { break };
        let Some((_, previous)) = out.pop() else {
            break;
        };
        let should = Some(query_grammar::Occur::Should);
        let group = match previous {
            UserInputAst::Clause(mut members) if last_is_group => {
                members.push((should, next.1));
                members
            }
            previous => vec![(should, previous), (should, next.1)],
        };
        out.push((None, UserInputAst::Clause(group)));
        last_is_group = true;
    }
    out
}

/// How deep the query's parentheses nest (outside quotes).
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' | '\u{201c}' | '\u{201d}' | '\u{201e}' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// What people paste, made readable to the grammar, char for char: typographic double
/// quotes (`“climate change”`, from a web page) are quotes; a `-` or `+` standing alone
/// between spaces (`schemes - DDC, UDC - in`) is punctuation, not an operator.
fn straight_quotes(text: &str) -> std::borrow::Cow<'_, str> {
    let curly = |c: char| matches!(c, '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}');
    let chars: Vec<char> = text.chars().collect();
    let alone = |i: usize| {
        matches!(chars[i], '-' | '+')
            && i.checked_sub(1).is_none_or(|j| chars[j].is_whitespace())
            && chars.get(i + 1).is_none_or(|c| c.is_whitespace())
    };
    if !(0..chars.len()).any(|i| curly(chars[i]) || alone(i)) {
        return text.into();
    }
    let mut quoted = false;
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let c = if curly(c) { '"' } else { c };
        if c == '"' {
            quoted = !quoted;
        }
        out.push(if !quoted && alone(i) { ' ' } else { c });
    }
    out.into()
}

/// The tokens `analyzer` makes of `text`.
pub(super) fn tokens(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    analyzer
        .clone()
        .token_stream(text)
        .process(&mut |t| out.push(t.text.clone()));
    out
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
    use crate::search::testing::{test_index, TestDoc};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 2, 6).unwrap()
    }

    /// A query builder over a small index, and a searcher of it.
    fn fixture() -> &'static (QueryBuilder, Searcher) {
        static FIXTURE: std::sync::OnceLock<(QueryBuilder, Searcher)> = std::sync::OnceLock::new();
        FIXTURE.get_or_init(|| {
            let (index, fields) = test_index(&[TestDoc {
                path: "/a/001.txt",
                title: "President Obama speaks",
                body: "The president said Obama and Obamas were here. Climate change talks.",
                ..Default::default()
            }]);
            let searcher = index.reader().unwrap().searcher();
            (QueryBuilder::new(&index, fields).unwrap(), searcher)
        })
    }

    fn build(text: &str) -> Result<BuiltQuery, QueryError> {
        let (b, searcher) = fixture();
        b.build(searcher, text, &Filters::default(), today())
    }

    fn words(text: &str) -> Vec<String> {
        build(text)
            .unwrap()
            .words
            .iter()
            .map(|w| w.text.clone())
            .collect()
    }

    #[test]
    fn errors_are_one_line() {
        for (text, want) in [
            ("", "empty query"),
            ("   ", "empty query"),
            ("title:", "invalid query \"title:\""),
            ("date:someday", "invalid date \"someday\""),
            ("date:2025..2024", "ends before it starts"),
            ("\"unclosed", "invalid query"),
            ("OR", "check its quotes"),
        ] {
            let err = match build(text) {
                Ok(_) => panic!("{text:?} should not build"),
                Err(err) => err.to_string(),
            };
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{text:?}: {err}");
        }
    }

    #[test]
    fn accepted_forms() {
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
            if let Err(err) = build(text) {
                panic!("{text:?}: {err}");
            }
        }
    }

    #[test]
    fn prefixes_are_reported_for_snippets() {
        let (_, fields) = test_index(&[]);
        let built = build("Elections*").unwrap();
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

    #[test]
    fn stop_words_are_left_out_of_free_text_only() {
        assert_eq!(
            words("what are the effects of climate change"),
            ["effects", "climate", "change"]
        );
        // Inside quotes, a phrase is one word, stop words and all.
        assert_eq!(words("\"to be or not to be\""), ["to be or not to be"]);
        // Nothing but stop words: they are the query.
        assert_eq!(words("to be or not"), ["to", "be", "or", "not"]);
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted");
    }

    #[test]
    fn what_is_not_a_free_word_stays_required() {
        for (text, free) in [
            ("climate change", 2),
            ("climate -trump", 1),
            ("+climate change", 1),
            ("title:climate change", 1),
            ("climate OR change", 0),
            ("climate date:2025", 1),
        ] {
            assert_eq!(build(text).unwrap().words.len(), free, "{text}");
        }
    }

    #[test]
    fn query_habits() {
        // A pasted headline: `Trump:` names no field.
        assert_eq!(words("Trump: Biden 2020"), ["Trump", "Biden", "2020"]);
        // Curly quotes make a phrase, one free word.
        assert_eq!(words("\u{201c}climate change\u{201d}"), ["climate change"]);
        // Lowercase `or` between two words is OR: the group is one free word (with no
        // text of its own), held when either is.
        assert_eq!(words("brexit or remain"), [""]);
        assert_eq!(words("deal brexit or remain"), ["deal", ""]);
        // A dash standing alone is punctuation.
        assert_eq!(words("schemes - DDC"), ["schemes", "DDC"]);
        assert!(build("title:*").is_ok());
        assert!(build("source:*").is_ok());
        assert!(build("trump AND NOT biden").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}a{}", "(a OR ".repeat(1000), ")".repeat(1000));
        let err = build(&deep).err().expect("too deep").to_string();
        assert!(err.contains("nest 1000 deep"), "{err}");
        let err = build(&"(".repeat(20_000))
            .err()
            .expect("too deep")
            .to_string();
        assert!(err.contains("at most 32"), "{err}");
        let fine = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(build(&fine).is_ok());
    }

    #[test]
    fn fuzzy_words_expand_to_indexed_terms() {
        let (_, fields) = test_index(&[]);
        let built = build("obamma~1").unwrap();
        let body: Vec<&str> = built
            .expansions
            .iter()
            .filter(|(f, _)| *f == fields.body)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(body, ["obama"]);
        assert!(build("obama~3").is_err());
        assert_eq!(
            fuzzy_word(&UserInputLiteral {
                field_name: None,
                phrase: "obama~".into(),
                delimiter: Delimiter::None,
                slop: 0,
                prefix: false,
            }),
            Some(("obama", 2))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = build(&text);
        }

        #[test]
        fn never_panics_on_query_syntax(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::string::string_regex("[a-z]{1,6}").unwrap(),
                    proptest::sample::select(vec![
                        "\"", "(", ")", "-", "+", "*", ":", "title:", "date:", "source:", "OR",
                        "AND", "NOT", "..", "^2", "~1", "[", "]", "{", "}", "TO", "2025",
                        "2025-02", "7d", "IN", "/", "\\", "'", "!", " ", "\u{201c}", "\u{201d}",
                        "or", "the", "AND NOT", "~", "~2", "*", "Word:", "title:*", "- ",
                    ]).prop_map(str::to_string),
                ],
                0..12,
            )
        ) {
            let text = parts.join(" ");
            let _ = build(&text);
            let glued = parts.concat();
            let _ = build(&glued);
        }
    }
}
