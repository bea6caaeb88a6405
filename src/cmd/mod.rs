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

/// Runs a command and returns its exit status.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
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
