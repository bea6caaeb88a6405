//! `newsfind export`: every indexed document as one JSON object per line, for a
//! distributed engine (see `scale-out/` and the README).

use std::io::Write;

use crate::cli::ExportArgs;
use crate::index::{export, schema};

pub fn run(args: ExportArgs) -> anyhow::Result<u8> {
    let (index, _) = schema::open_index(&args.index.dir)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    export::for_each_document(&index, |doc| {
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(super::EXIT_OK)
}
