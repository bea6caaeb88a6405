//! `newsfind show ID|PATH`: one document as indexed; for an article, also the teasers of
//! its file, read again from the file (teasers are documents of their own). On a
//! terminal, text goes through the pager.

use crate::article::{decode, parse_article, Teaser};
use crate::cli::{FormatArg, ShowArgs};
use crate::output::{self, Layout, Pager};
use crate::search::{DocKind, SearchIndex};

pub fn run(args: ShowArgs) -> anyhow::Result<u8> {
    let index = SearchIndex::open(&args.index.dir)?;
    let Some(doc) = index.document(&args.target)? else {
        anyhow::bail!("no document {:?} in the index at {} (give an id as printed by search, or a file's path)", args.target, args.index.dir.display());
    };
    let teasers = (doc.kind == DocKind::Article).then(|| file_teasers(&doc.path));
    let teasers = match &teasers {
        Some(Ok(list)) => Some(Ok(list.as_slice())),
        Some(Err(why)) => Some(Err(why.as_str())),
        None => None,
    };
    let color = output::use_color_on_stdout(super::search::color_when(args.color));
    let text = output::to_bytes(color, |out| {
        output::print_document(
            &mut &mut *out,
            &doc,
            teasers,
            super::search::format(args.format),
            &Layout::for_stdout(),
        )
    })?;
    let paged = args.format == FormatArg::Text && !args.no_pager;
    let pager = std::env::var("PAGER").ok();
    Pager::start(paged, pager.as_deref()).show(&text)?;
    Ok(super::EXIT_OK)
}

/// The teasers of the file at `path` as it is now, or why they cannot be read.
fn file_teasers(path: &str) -> Result<Vec<Teaser>, String> {
    let bytes = std::fs::read(path)
        .map_err(|err| format!("not stored with the article, and {path} cannot be read: {err}"))?;
    let decoded = decode(&bytes)
        .map_err(|reason| format!("not stored with the article, and {path} is now a {reason}"))?;
    Ok(parse_article(&decoded.text).teasers)
}
