//! `newsfind stats`: not written yet.

use crate::cli::StatsArgs;

pub fn run(_args: StatsArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
