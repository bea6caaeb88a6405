//! `newsfind show ID|PATH`: one document as indexed; for an article, also the teasers of
//! its file, read again from the file (teasers are documents of their own). On a
//! terminal, text goes through the pager.

use std::path::Path;

use crate::article::{title_key, Teaser};
use crate::cli::{FormatArg, ShowArgs};
use crate::index::read::{parse_bytes, read_bytes, DEFAULT_MAX_BYTES};
use crate::output::{self, Layout, Pager};
use crate::search::{DocKind, Document, SearchIndex};

pub fn run(args: ShowArgs) -> anyhow::Result<u8> {
    let index = SearchIndex::open(&args.index.dir)?;
    let Some(doc) = index.document(&args.target)? else {
        anyhow::bail!("no document {:?} in the index at {} (give an id as printed by search, or a file's path)", args.target, args.index.dir.display());
    };
    let teasers = (doc.kind == DocKind::Article).then(|| file_teasers(&doc));
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

/// The teasers of `doc`'s file as it is now, or why they are not shown. The file must
/// still be a regular file (not a link or a FIFO put there since) of bounded size that
/// holds the same article: else the teasers would be another file's.
pub(crate) fn file_teasers(doc: &Document) -> Result<Vec<Teaser>, String> {
    let path = &doc.path;
    // The same read as the ingest's: links not followed, FIFOs never opened, bounded.
    let read = read_bytes(Path::new(path), DEFAULT_MAX_BYTES, false)
        .and_then(|bytes| parse_bytes(&bytes))
        .map_err(|reason| {
            format!("not stored with the article, and {path} cannot be read now: {reason}")
        })?;
    if title_key(&read.article.title) != title_key(&doc.title) {
        return Err(format!(
            "not stored with the article, and {path} holds another article since it was indexed"
        ));
    }
    Ok(read.article.teasers)
}
