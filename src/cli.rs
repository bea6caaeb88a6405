//! Command-line definitions (clap derive only). Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cluster::ClusterUrl;

/// Full-text search for archives of scraped news.
///
/// Index a folder of article files once (`newsfind index ARCHIVE`), then search it
/// (`newsfind search 'query'`). Exit status: 0 hits, 1 no hit, 2 error.
#[derive(Debug, Parser)]
#[command(name = "newsfind", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index (or update) an archive folder.
    Index(IndexArgs),
    /// Search the index.
    Search(SearchArgs),
    /// Print what the parser makes of files, as JSON (one object per line).
    Parse(ParseArgs),
    /// Print one indexed article (by id or path) with its teasers.
    Show(ShowArgs),
    /// Articles like one article (by id or path): how others covered its story, and what
    /// came after. Its own copies are left out.
    Similar(SimilarArgs),
    /// Print what the index holds: documents by kind, sources, dates, size.
    Stats(StatsArgs),
    /// Print every source of the index: name, slug, articles, first and last date.
    Sources(SourcesArgs),
    /// Serve a web page and a JSON API over the index (loopback only by default).
    Serve(ServeArgs),
    /// Print every indexed document as JSON lines, for a distributed engine.
    Export(ExportArgs),
    /// Run on a Sphinx/Manticore cluster: write its configuration, sync an index to it.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Print shell completions for bash, zsh, fish, elvish or powershell.
    Completions(CompletionsArgs),
    /// Print a man page (roff): newsfind(1), or a subcommand's; or write them all to a folder.
    Man(ManArgs),
    /// Run a query file in-process and print latency percentiles (for bench/run).
    #[command(hide = true)]
    QueryBench(QueryBenchArgs),
    /// Run `similar` in-process for articles spread over the index and print latency
    /// percentiles (for BENCHMARKS.md).
    #[command(hide = true)]
    SimilarBench(SimilarBenchArgs),
}

/// Where the index lives; shared by every command that reads or writes it.
#[derive(Debug, Args, Clone)]
pub struct IndexDirArg {
    /// Index directory.
    #[arg(
        long = "index",
        short = 'i',
        env = "NEWSFIND_INDEX",
        default_value = "index"
    )]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Archive folders or files to index [default: data/].
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Source (publisher) of every file in this run, overriding header and folder.
    #[arg(long)]
    pub source: Option<String>,
    /// Glob of files to index, matched against the path under each root (repeatable).
    #[arg(long = "glob", default_value = "*.txt")]
    pub globs: Vec<String>,
    /// Throw the index away and index everything again.
    #[arg(long)]
    pub rebuild: bool,
    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(32..=16384))]
    pub heap: u64,
    /// Parser threads [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print no progress bar, no summary and no warnings; skipped files are still listed.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every file's warnings as they come (else they are counted in the summary,
    /// and written to warnings.txt in the index folder).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Commit after this many files, so that an interrupted run keeps its work.
    #[arg(long, default_value_t = 50_000, hide = true)]
    pub commit_every: usize,
    /// Then bring this cluster to what the index holds (sphinx://HEAD:PORT).
    #[arg(long, value_name = "URL")]
    pub to: Option<ClusterUrl>,
    /// Skip files larger than this many MB (with a reason): one huge file must not take
    /// the memory of the run.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_size: u64,
    /// Follow symbolic links (by default they are reported and skipped, so that a link
    /// out of the archive, or to a file indexed under its own name, is not indexed).
    #[arg(long, short = 'L')]
    pub follow: bool,
}

/// The command line, with `newsfind search`'s `--` dropped (see [`search_argv`]).
pub fn parse() -> Cli {
    Cli::parse_from(search_argv(std::env::args_os()))
}

/// `newsfind search`'s arguments put in the order clap reads them: its options (known by
/// name, wherever they stand) first, then `--` and the query words, so that a query word
/// starting with one '-' that is no option (`trump -biden`) is a word, and `-- trump
/// -biden -n 2` still takes `-n 2` as the option people mean. Other commands are left
/// alone. Clap cannot say this itself: `allow_hyphen_values` on the query makes it take
/// every argument after the first word, options included.
pub fn search_argv<I, T>(args: I) -> Vec<std::ffi::OsString>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString>,
{
    use clap::CommandFactory;
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // The subcommand is the first argument not starting with '-' (no global option
    // takes a value).
    let Some(at) = args
        .iter()
        .skip(1)
        .position(|a| !a.to_string_lossy().starts_with('-'))
        .map(|i| i + 1)
        .filter(|&i| args[i] == "search")
    else {
        return args;
    };
    let command = Cli::command();
    let Some(search) = command.find_subcommand("search") else {
        return args;
    };
    // Whether an option takes a value, by long name and by short letter.
    let long = |name: &str| -> Option<bool> {
        if name == "help" {
            return Some(false);
        }
        search
            .get_arguments()
            .find(|a| a.get_long() == Some(name))
            .map(|a| a.get_action().takes_values())
    };
    let short = |letter: char| -> Option<bool> {
        if letter == 'h' {
            return Some(false);
        }
        search
            .get_arguments()
            .find(|a| a.get_short() == Some(letter))
            .map(|a| a.get_action().takes_values())
    };
    let mut options = Vec::new();
    let mut words = Vec::new();
    let mut rest = args[at + 1..].iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        let takes_value = if text == "--" {
            continue;
        } else if let Some(name) = text.strip_prefix("--") {
            // An unknown `--name` stays an option, for clap to refuse: a mistyped option
            // is no query word.
            match name.split_once('=') {
                Some(_) => Some(false),
                None => Some(long(name).unwrap_or(false)),
            }
        } else if let Some(letters) = text.strip_prefix('-') {
            let mut chars = letters.chars();
            match (chars.next(), chars.as_str().is_empty()) {
                (Some(letter), alone) => short(letter).map(|takes| takes && alone),
                (None, _) => None,
            }
        } else {
            None
        };
        match takes_value {
            Some(takes_value) => {
                options.push(arg.clone());
                if takes_value {
                    if let Some(value) = rest.next() {
                        options.push(value.clone());
                    }
                }
            }
            None => words.push(arg.clone()),
        }
    }
    let mut out = args[..=at].to_vec();
    out.extend(options);
    if !words.is_empty() {
        out.push("--".into());
        out.extend(words);
    }
    out
}

/// The date and source filters, the same for `search` and `similar`.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only documents dated on or after this: YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday,
    /// 7d, 2w, 3m, 1y, 'last week', 'last month', 'this year'.
    #[arg(long)]
    pub since: Option<String>,
    /// Only documents dated on or before this (same forms as --since).
    #[arg(long)]
    pub until: Option<String>,
    /// Only documents dated within this day, month or year (same forms as --since).
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub on: Option<String>,
    /// Only this source: slug or display name, case-insensitive (repeatable).
    #[arg(long = "source", short = 's')]
    pub sources: Vec<String>,
    /// The day relative dates count from, YYYY-MM-DD [default: the local date].
    #[arg(long, hide = true, env = "NEWSFIND_TODAY")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", OR, -word, title:/body:/byline:/source: fields, word*
    /// prefixes, word~1 typos, date:2024-11..2025-01. `-word` needs no quoting: options
    /// are known by name, anything else starting with '-' is a query word.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// How many of the query's words a hit must hold: all; most (as many of them as at least
    /// 1,000 documents hold); any [default: all, then most when fewer than 10 documents
    /// hold them all].
    #[arg(long = "match", value_enum, value_name = "HOW")]
    pub matching: Option<MatchArg>,
    #[command(flatten)]
    pub index: IndexDirArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Which documents to search.
    #[arg(long, value_enum, default_value_t = KindArg::All)]
    pub kind: KindArg,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Number of hits to print, or `all`; 0 prints only the count (and facets)
    /// [default: 10; all with -f paths or jsonl].
    #[arg(long, short = 'n', value_parser = parse_limit)]
    pub limit: Option<usize>,
    /// Skip this many hits first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Count the matching documents by source and by month.
    #[arg(long)]
    pub facets: bool,
    /// List every copy of a story as a hit of its own (by default a story shows once, by
    /// its best match, with "and N copies: source, …").
    #[arg(long)]
    pub copies: bool,
    /// With -f paths: end each path with NUL instead of a newline (for `xargs -0`).
    #[arg(long, short = '0')]
    pub null: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Search this cluster instead of the local index (sphinx://HEAD:PORT).
    #[arg(long, value_name = "URL", env = "NEWSFIND_REMOTE")]
    pub remote: Option<ClusterUrl>,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// Article id (as printed by search) or file path.
    pub target: String,
    #[command(flatten)]
    pub index: IndexDirArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Number of hits to print.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,
    /// Skip this many hits first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// List every copy of the other stories as a hit of its own.
    #[arg(long)]
    pub copies: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to parse.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Source (publisher) to report, overriding the header.
    #[arg(long)]
    pub source: Option<String>,
    /// Pretty-print the JSON.
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document id (as printed by search) or file path.
    pub target: String,
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Output format (text or json).
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print to the terminal directly, not through $PAGER (or `less`).
    #[arg(long)]
    pub no_pager: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormatArg::Text)]
    pub format: ReportFormatArg,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Output format (json: one object per source and line).
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormatArg::Text)]
    pub format: ReportFormatArg,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (`index`, `search`, ...) [default: newsfind(1)].
    pub command: Option<String>,
    /// Write every page (newsfind.1, newsfind-index.1, ...) into this folder instead.
    #[arg(long, conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Address and port to listen on (port 0: any free port). Any address but loopback
    /// lets everyone who can reach it read the archive: set --token then.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: std::net::SocketAddr,
    /// Answer API requests only with the header `Authorization: Bearer TOKEN`.
    #[arg(long, env = "NEWSFIND_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Longest wait for a search, in milliseconds, before it is answered with an error.
    #[arg(long, default_value_t = 5_000)]
    pub timeout_ms: u64,
    /// Searches run at the same time at most [default: the number of cores].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_searches: Option<u32>,
    /// The day relative dates count from, YYYY-MM-DD [default: the local date].
    #[arg(long, hide = true, env = "NEWSFIND_TODAY")]
    pub today: Option<String>,
    /// Tests only: make every search this many milliseconds slower.
    #[arg(long, hide = true, default_value_t = 0)]
    pub test_delay_ms: u64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Print OpenSearch/Elasticsearch `_bulk` lines into this index instead (an action line
    /// before each document, with its id).
    #[arg(long, value_name = "INDEX")]
    pub bulk: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Write the configuration of every node of a cluster (one sphinx.conf per searchd).
    Config(ClusterConfigArgs),
    /// Bring a cluster to what an index holds, sending only what changed.
    Sync(ClusterSyncArgs),
}

#[derive(Debug, Args)]
pub struct ClusterConfigArgs {
    /// Number of shards (one searchd each).
    #[arg(long, default_value_t = 2)]
    pub shards: usize,
    /// Hosts the shards go to, in turn; the head goes on the first.
    #[arg(long, value_delimiter = ',', default_value = "127.0.0.1")]
    pub hosts: Vec<String>,
    /// Base port: the head answers on it, shard k on PORT+1+2k (SphinxQL) and PORT+2+2k.
    #[arg(long, default_value_t = 9306)]
    pub port: u16,
    /// Where each node keeps its data and log, as seen on its host.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// Where to write the configurations (NODE.conf) [default: --data-dir].
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ClusterSyncArgs {
    /// The cluster's head (sphinx://HOST:PORT).
    #[arg(long, value_name = "URL")]
    pub to: ClusterUrl,
    #[command(flatten)]
    pub index: IndexDirArg,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct QueryBenchArgs {
    /// File of queries, one per line: the arguments of `newsfind search`, shell-quoted.
    pub queries: PathBuf,
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Times each query is run.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Run the queries on this cluster instead (queries it refuses are counted, not run).
    #[arg(long, value_name = "URL")]
    pub remote: Option<ClusterUrl>,
}

#[derive(Debug, Args)]
pub struct SimilarBenchArgs {
    #[command(flatten)]
    pub index: IndexDirArg,
    /// Articles to start from, spread evenly over the index.
    #[arg(long, default_value_t = 200)]
    pub articles: usize,
    /// Times each is run.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Article ids, one a line: read from this file when it exists, else chosen as
    /// usual and written there (listing a 1M index takes minutes; the runs do not).
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Read what `similar --format F` prints: text lists the copies by source only, JSON
    /// reads every copy's stored document (nothing is printed either way).
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Article,
    Teaser,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchArg {
    All,
    Most,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Jsonl,
    Paths,
}

/// Formats of reports about the index (`stats`, `sources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    Text,
    Json,
}

/// `-n`: a count, or `all` for no limit (`usize::MAX`).
fn parse_limit(s: &str) -> Result<usize, String> {
    match s.trim() {
        "all" => Ok(usize::MAX),
        n => n
            .parse::<usize>()
            .map_err(|_| format!("{n:?} is not a number of hits (or `all`)")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}
