//! `newsfind similar ID|PATH`: related coverage of one article, with the filters of a
//! search.

use std::io::Write;

use anyhow::Context;
use std::time::{Duration, Instant};

use crate::cli::{
    ColorArg, FilterArgs, FormatArg, IndexDirArg, KindArg, SearchArgs, SimilarArgs,
    SimilarBenchArgs, SortArg,
};
use crate::output::{self, Layout};
use crate::search::{SearchIndex, SimilarRequest};

pub fn run(args: SimilarArgs) -> anyhow::Result<u8> {
    let today = super::search::today(args.filters.today.as_deref())?;
    let request = request(&args, today)?;
    let index = SearchIndex::open(&args.index.dir)?;
    let Some(similar) = index.similar(&request)? else {
        anyhow::bail!(
            "no article {:?} in the index at {} (give an id as printed by search, or a file's path)",
            args.target,
            args.index.dir.display()
        );
    };
    for note in &similar.results.notes {
        eprintln!("newsfind: {note}");
    }
    let mut out = output::stdout(output::use_color_on_stdout(super::search::color_when(
        args.color,
    )));
    output::print_similar(
        &mut out,
        &similar,
        super::search::format(args.format),
        &Layout::for_stdout(),
    )?;
    out.flush()?;
    Ok(if similar.results.total > 0 {
        super::EXIT_OK
    } else {
        super::EXIT_NO_MATCH
    })
}

/// The request the arguments ask for: the same filters as a search's, read the same way.
fn request(args: &SimilarArgs, today: chrono::NaiveDate) -> anyhow::Result<SimilarRequest> {
    let as_search = SearchArgs {
        query: vec!["*".to_string()],
        index: args.index.clone(),
        filters: args.filters.clone(),
        kind: KindArg::Article,
        sort: args.sort,
        limit: Some(args.limit),
        offset: args.offset,
        format: args.format,
        facets: false,
        null: false,
        matching: None,
        remote: None,
        copies: args.copies,
        color: args.color,
    };
    Ok(SimilarRequest {
        target: args.target.clone(),
        search: super::search::request(&as_search, today)?,
    })
}

/// `similar-bench`: latency of `similar` in-process, over articles spread evenly over
/// the index (every k-th of `search '*' --kind article --sort oldest`), as one JSON line;
/// what is read is what `similar --format F` prints (not timed).
pub fn bench(args: SimilarBenchArgs) -> anyhow::Result<u8> {
    let index = SearchIndex::open(&args.index.dir)?;
    let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let saved = match &args.targets {
        Some(file) if file.exists() => Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the targets {}", file.display()))?
                .lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect::<Vec<String>>(),
        ),
        _ => None,
    };
    let (articles, targets) = match saved {
        Some(targets) => (None, targets),
        None => {
            let mut list = request(&similar_args(&args.index, "*", args.format), today)?;
            list.search.limit = usize::MAX / 2;
            list.search.sort = crate::search::SortOrder::Oldest;
            list.search.snippets = false;
            list.search.query = "*".to_string();
            list.search.kind = crate::search::KindFilter::Article;
            let all = index.search(&list.search)?;
            let step = (all.hits.len() / args.articles.max(1)).max(1);
            let targets: Vec<String> = all
                .hits
                .iter()
                .step_by(step)
                .map(|h| h.id.clone())
                .collect();
            if let Some(file) = &args.targets {
                std::fs::write(file, targets.join("\n") + "\n")
                    .with_context(|| format!("writing the targets {}", file.display()))?;
            }
            (Some(all.total), targets)
        }
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut hits = 0;
    for _ in 0..args.rounds.max(1) {
        for id in &targets {
            let req = request(&similar_args(&args.index, id, args.format), today)?;
            let started = Instant::now();
            let found = index.similar(&req)?;
            times.push(started.elapsed());
            hits += found.map_or(0, |s| s.results.hits.len());
        }
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "{}",
        serde_json::json!({
            // Not counted when the targets come from a file.
            "articles_in_index": articles,
            "targets": targets.len(),
            "format": format!("{:?}", args.format).to_lowercase(),
            "runs": times.len(),
            "hits": hits,
            "p50_ms": at(0.5),
            "p95_ms": at(0.95),
            "max_ms": at(1.0),
        })
    );
    Ok(super::EXIT_OK)
}

/// The arguments of `newsfind similar TARGET --format FORMAT` with every other default.
fn similar_args(index: &IndexDirArg, target: &str, format: FormatArg) -> SimilarArgs {
    SimilarArgs {
        target: target.to_string(),
        index: index.clone(),
        filters: FilterArgs::default(),
        sort: SortArg::Relevance,
        limit: 10,
        offset: 0,
        format,
        copies: false,
        color: ColorArg::Never,
    }
}
