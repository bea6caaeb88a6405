//! newsfind: full-text search for archives of scraped news.

mod article;
mod cli;
mod cluster;
mod cmd;
mod index;
mod output;
mod search;
mod serve;

use std::process::ExitCode;

/// mimalloc: tantivy's indexer allocates a lot; this made ingest measurably faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::parse();
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Errors name files and queries, which may hold terminal escapes.
            eprintln!("newsfind: {}", output::safe::one_line(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`newsfind search x | head`) is a quiet exit, as in ripgrep.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = match cause.downcast_ref::<std::io::Error>() {
            Some(e) => Some(e.kind()),
            None => cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind),
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
