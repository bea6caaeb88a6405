//! `newsfind similar ID|PATH`: related coverage of one article, with the filters of a
//! search.

use std::io::Write;

use crate::cli::{KindArg, SearchArgs, SimilarArgs};
use crate::output::{self, PathStyle};
use crate::search::{SearchIndex, SimilarRequest};

pub fn run(args: SimilarArgs) -> anyhow::Result<u8> {
    let today = super::search::today(args.today.as_deref())?;
    // The same filters as a search's, read the same way.
    let as_search = SearchArgs {
        query: vec!["*".to_string()],
        index: args.index.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        on: args.on.clone(),
        sources: args.sources.clone(),
        kind: KindArg::Article,
        sort: args.sort,
        limit: args.limit,
        offset: args.offset,
        format: args.format,
        facets: false,
        copies: args.copies,
        color: args.color,
        today: args.today.clone(),
    };
    let request = SimilarRequest {
        target: args.target.clone(),
        search: super::search::request(&as_search, today)?,
    };
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
        &PathStyle::from_env(),
    )?;
    out.flush()?;
    Ok(if similar.results.total > 0 {
        super::EXIT_OK
    } else {
        super::EXIT_NO_MATCH
    })
}
