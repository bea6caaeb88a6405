//! One module per subcommand: turn the parsed arguments into a config, run the core, print.

mod cluster;
mod completions;
mod export;
mod index;
mod parse;
mod query_bench;
pub(crate) mod search;
mod serve;
pub(crate) mod show;
mod stats;

use crate::cli::{Cli, Command};

/// Exit status when something matched or everything went well.
pub const EXIT_OK: u8 = 0;
/// Exit status of a search without hits.
pub const EXIT_NO_MATCH: u8 = 1;
/// Exit status of an error, or of an index run that skipped files.
pub const EXIT_ERROR: u8 = 2;
/// Exit status of an index run that finished but skipped files (the same as an error
/// elsewhere, as ripgrep exits 2 after a file it could not read).
pub const EXIT_SKIPPED: u8 = EXIT_ERROR;
/// Exit status of an index run that failed: the index holds its last commit only.
pub const EXIT_FAILED: u8 = 3;

/// Runs a command and returns its exit status. A panic (tantivy panics on some damaged
/// index files) becomes an error that says what is damaged and how to recover.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let index_dir = match &cli.command {
        Command::Index(a) => Some(a.index.dir.clone()),
        Command::Search(a) => Some(a.index.dir.clone()),
        Command::Show(a) => Some(a.index.dir.clone()),
        Command::Stats(a) => Some(a.index.dir.clone()),
        Command::Export(a) => Some(a.index.dir.clone()),
        Command::QueryBench(a) => Some(a.index.dir.clone()),
        _ => None,
    };
    let is_index = matches!(cli.command, Command::Index(_));
    let Some(dir) = index_dir else {
        return dispatch(cli);
    };
    let panicked = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let seen = panicked.clone();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut slot) = seen.lock() {
            slot.get_or_insert_with(|| info.to_string());
        }
    }));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli))) {
        // tantivy's errors on reading come from the index's files: say which.
        Ok(Err(err)) if !is_index => Err(crate::index::dir::damaged(&dir, None, err)),
        Ok(result) => result,
        Err(_) => {
            let what = panicked
                .lock()
                .ok()
                .and_then(|mut p| p.take())
                .unwrap_or_else(|| "a panic".to_string());
            let err =
                crate::index::dir::damaged(&dir, None, crate::index::dir::Panicked(what).into());
            if is_index {
                eprintln!("newsfind: {err:#}");
                return Ok(EXIT_FAILED);
            }
            Err(err)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Index(args) => index::run(args),
        Command::Search(args) => search::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Show(args) => show::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Sources(args) => stats::sources(args),
        Command::Completions(args) => completions::run(args),
        Command::Export(args) => export::run(args),
        Command::Cluster(command) => cluster::run(command),
        Command::Man(args) => completions::man(args),
        Command::QueryBench(args) => query_bench::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
