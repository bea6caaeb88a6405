//! The index schema: the only place where field names are spelled.
//!
//! Articles and teasers are documents of their own, told apart by `kind`. A teaser keeps
//! its title in `title` and its summary in `body`, so `title:` and `body:` mean the same
//! for both kinds.

use std::path::Path;

use anyhow::Context;
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    STORED, STRING,
};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, IndexSettings};

use super::stem::CachedEnglishStemmer;

/// Tokenizer of the prose fields: lower-cased, ASCII-folded, English-stemmed.
pub const PROSE_TOKENIZER: &str = "newsfind_en";
/// Tokenizer of names (sources): lower-cased and ASCII-folded, not stemmed.
pub const NAME_TOKENIZER: &str = "newsfind_name";

/// `kind` of an article document.
pub const KIND_ARTICLE: &str = "article";
/// `kind` of a teaser document.
pub const KIND_TEASER: &str = "teaser";
/// Value of `folded` on a teaser whose title is the title of an indexed article.
pub const FOLDED: &str = "yes";

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Stable id: `a` + hash of the path for articles, `t` + hash of the title for teasers.
    pub id: Field,
    /// `article` or `teaser`.
    pub kind: Field,
    /// Absolute path of the file (for a teaser: the first file it was seen in).
    pub path: Field,
    pub title: Field,
    /// Hash of the normalised title; the same for an article and its teasers.
    pub title_key: Field,
    /// Article body (paragraphs joined by a blank line), or a teaser's summary.
    pub body: Field,
    /// One value per photo caption.
    pub captions: Field,
    /// Credits, aligned with `captions` (empty string where a caption has none).
    pub credits: Field,
    pub byline: Field,
    /// Source slug and display name, tokenized, for `source:` in queries.
    pub source: Field,
    /// Source facet `/slug`.
    pub source_facet: Field,
    /// Source display name as found in the archive.
    pub source_name: Field,
    /// Publication day number ([`super::day::Day`]; a teaser: the day of the first file
    /// it was seen in).
    pub date: Field,
    /// Date facet `/YYYY/MM/DD`.
    pub date_facet: Field,
    pub read_minutes: Field,
    /// Teasers: in how many indexed files the teaser appears.
    pub seen_count: Field,
    /// Teasers: day number of the last file it was seen in.
    pub last_seen: Field,
    /// Teasers: the summary is cut mid-sentence.
    pub truncated: Field,
    /// Teasers: `yes` when an indexed article has the same title.
    pub folded: Field,
}

impl Fields {
    pub fn new(schema: &Schema) -> anyhow::Result<Fields> {
        let f = |name: &str| {
            schema.get_field(name).with_context(|| {
                format!(
                    "the index has no field {name:?}: rebuild it with `newsfind index --rebuild`"
                )
            })
        };
        Ok(Fields {
            id: f("id")?,
            kind: f("kind")?,
            path: f("path")?,
            title: f("title")?,
            title_key: f("title_key")?,
            body: f("body")?,
            captions: f("captions")?,
            credits: f("credits")?,
            byline: f("byline")?,
            source: f("source")?,
            source_facet: f("source_facet")?,
            source_name: f("source_name")?,
            date: f("date")?,
            date_facet: f("date_facet")?,
            read_minutes: f("read_minutes")?,
            seen_count: f("seen_count")?,
            last_seen: f("last_seen")?,
            truncated: f("truncated")?,
            folded: f("folded")?,
        })
    }
}

/// Builds the schema of a new index.
pub fn build_schema() -> Schema {
    let prose = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PROSE_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let name = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NAME_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Days as numbers (see `day.rs`): tantivy's dates end in 1677 and 2262.
    let day = NumericOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored();

    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("kind", STRING | STORED);
    b.add_text_field("path", STRING | STORED);
    b.add_text_field("title", prose(true));
    b.add_text_field("title_key", STRING);
    b.add_text_field("body", prose(true));
    b.add_text_field("captions", prose(true));
    b.add_text_field("credits", STORED);
    b.add_text_field("byline", prose(true));
    b.add_text_field("source", name);
    b.add_facet_field("source_facet", FacetOptions::default().set_stored());
    b.add_text_field("source_name", STORED);
    b.add_i64_field("date", day);
    b.add_facet_field("date_facet", FacetOptions::default());
    b.add_u64_field("read_minutes", STORED);
    b.add_u64_field(
        "seen_count",
        NumericOptions::default().set_stored().set_fast(),
    );
    b.add_i64_field("last_seen", NumericOptions::default().set_stored());
    b.add_bool_field("truncated", STORED);
    b.add_text_field("folded", STRING | STORED);
    b.build()
}

/// Settings of a new index: the document store compressed with zstd in 64 KiB blocks,
/// which keeps the index under half the archive's size; a hit's snippet costs one block.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 64 * 1024,
        ..IndexSettings::default()
    }
}

/// Registers newsfind's tokenizers on an index; needed before writing or querying it.
pub fn register_tokenizers(index: &Index) {
    let prose = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedEnglishStemmer)
        .build();
    let name = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(PROSE_TOKENIZER, prose);
    index.tokenizers().register(NAME_TOKENIZER, name);
}

/// Opens an existing index for reading, with its tokenizers and fields.
pub fn open_index(dir: &Path) -> anyhow::Result<(Index, Fields)> {
    let index = super::dir::open_for_reading(dir)?;
    let fields = Fields::new(&index.schema())?;
    Ok((index, fields))
}
