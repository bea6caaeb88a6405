//! `newsfind parse FILE...`: what the parser makes of each file, as JSON lines.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::article::source_of;
use crate::cli::ParseArgs;
use crate::index::read::{read_article, ReadArticle, DEFAULT_MAX_BYTES};

pub fn run(args: ParseArgs) -> anyhow::Result<u8> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut code = super::EXIT_OK;
    for path in &args.files {
        let value = parse_file(path, args.source.as_deref());
        if value.get("skipped").is_some() {
            code = super::EXIT_ERROR;
        }
        if args.pretty {
            serde_json::to_writer_pretty(&mut out, &value)?;
        } else {
            serde_json::to_writer(&mut out, &value)?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(code)
}

/// One file's JSON object; a file that cannot be parsed has `skipped` with the reason.
fn parse_file(path: &Path, given_source: Option<&str>) -> serde_json::Value {
    let shown = path.display().to_string();
    let max_bytes = DEFAULT_MAX_BYTES;
    let ReadArticle { article, warnings } = match read_article(path, max_bytes) {
        Ok(read) => read,
        Err(reason) => return json!({ "path": shown, "skipped": reason.to_string() }),
    };
    // No indexed root here: the parent folder stands for the archive's source folder.
    let relative = path
        .parent()
        .and_then(Path::file_name)
        .map(|dir| Path::new(dir).join("f"))
        .unwrap_or_default();
    let source = source_of(given_source, article.source.as_deref(), &relative);
    json!({
        "path": shown,
        "title": article.title,
        "date": article.date.map(|d| d.format("%Y-%m-%d").to_string()),
        "source": source.name,
        "source_slug": source.slug,
        "byline": article.byline,
        "read_minutes": article.read_minutes,
        "captions": article.captions,
        "body": article.body(),
        "paragraphs": article.paragraphs.len(),
        "teasers": article.teasers,
        "warnings": warnings,
    })
}
