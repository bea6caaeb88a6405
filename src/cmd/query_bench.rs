//! `newsfind query-bench`: not written yet.

use crate::cli::QueryBenchArgs;

pub fn run(_args: QueryBenchArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
