//! The index: schema (the only place field names are spelled), documents, the
//! incremental ingest and its saved state.

pub mod docs;
pub mod export;
pub mod ingest;
mod merge;
pub mod schema;
mod state;
mod stem;
pub mod stories;
