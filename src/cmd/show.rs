//! `newsfind show ID|PATH`: one document as indexed; for an article, also the teasers of
//! its file, read again from the file (teasers are documents of their own). On a
//! terminal, text goes through the pager.

use crate::article::{decode, parse_article, title_key, Teaser};
use crate::cli::{FormatArg, ShowArgs};
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

/// Biggest file whose teasers are read again.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The teasers of `doc`'s file as it is now, or why they are not shown. The file must
/// still be a regular file (not a link or a FIFO put there since) of bounded size that
/// holds the same article: else the teasers would be another file's.
pub(crate) fn file_teasers(doc: &Document) -> Result<Vec<Teaser>, String> {
    use std::io::Read;
    let path = &doc.path;
    let cannot = |err: &dyn std::fmt::Display| {
        format!("not stored with the article, and {path} cannot be read: {err}")
    };
    let meta = std::fs::symlink_metadata(path).map_err(|err| cannot(&err))?;
    if !meta.is_file() {
        return Err(cannot(&"it is no longer a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(cannot(&format!(
            "it is now {} bytes, over {MAX_FILE_BYTES}",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES).read_to_end(&mut bytes))
        .map_err(|err| cannot(&err))?;
    let decoded = decode(&bytes)
        .map_err(|reason| format!("not stored with the article, and {path} is now a {reason}"))?;
    let article = parse_article(&decoded.text);
    if title_key(&article.title) != title_key(&doc.title) {
        return Err(format!(
            "not stored with the article, and {path} holds another article since it was indexed"
        ));
    }
    Ok(article.teasers)
}
