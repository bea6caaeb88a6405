//! `newsfind export`: every indexed document as one JSON object per line, for a
//! distributed engine (see `scale-out/` and the README); `--bulk INDEX` in the
//! OpenSearch/Elasticsearch `_bulk` form.

use std::io::Write;

use crate::cli::ExportArgs;
use crate::index::{export, schema};

pub fn run(args: ExportArgs) -> anyhow::Result<u8> {
    let (index, _) = schema::open_index(&args.index.dir)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::for_each_document(&index, |doc| {
        if let Some(name) = &args.bulk {
            let id = doc.get("id").cloned().unwrap_or_default();
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({"index": {"_index": name, "_id": id}}),
            )?;
            out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
