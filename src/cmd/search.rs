//! `newsfind search`: not written yet.

use crate::cli::SearchArgs;

pub fn run(_args: SearchArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
