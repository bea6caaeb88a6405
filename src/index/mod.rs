//! The index: schema (the only place field names are spelled), the document codec, the
//! incremental ingest and its saved state.
//!
//! - `schema.rs`: fields and tokenizers; `codec.rs`: typed documents to and from tantivy
//!   (where a document gets its path, source and date); `day.rs`: the stored day.
//! - `read.rs`: read → decode → parse, for every command that reads archive files.
//! - `walk.rs` finds files, `plan.rs` decides what to read, `ingest.rs` runs the commit
//!   loop, `teasers.rs` rewrites teaser documents, `state.rs` saves the incremental state
//!   (`file_table.rs`: its files by path, interned per folder),
//!   `dir.rs` owns the index folder (lock, recovery, damage reports).

pub mod codec;
pub mod day;
pub mod dir;
pub mod export;
mod file_table;
pub mod ingest;
mod merge;
mod plan;
pub mod read;
pub mod schema;
mod state;
mod stem;
pub mod stories;
mod teasers;
mod walk;
