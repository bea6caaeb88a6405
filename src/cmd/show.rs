//! `newsfind show ID|PATH`: one document as indexed; for an article, also the teasers of
//! its file, read again from the file (teasers are documents of their own).

use std::io::Write;
use std::path::Path;

use crate::article::Teaser;
use crate::cli::ShowArgs;
use crate::index::read::{read_article, DEFAULT_MAX_BYTES};
use crate::output::{self, PathStyle};
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
    let mut out = output::stdout(color);
    output::print_document(
        &mut out,
        &doc,
        teasers,
        super::search::format(args.format),
        &PathStyle::from_env(),
    )?;
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// The teasers of the file at `path` as it is now, or why they cannot be read.
fn file_teasers(path: &str) -> Result<Vec<Teaser>, String> {
    match read_article(Path::new(path), DEFAULT_MAX_BYTES) {
        Ok(read) => Ok(read.article.teasers),
        Err(reason) => Err(format!(
            "not stored with the article, and {path} cannot be read now: {reason}"
        )),
    }
}
