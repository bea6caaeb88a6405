//! `newsfind show`: not written yet.

use crate::cli::ShowArgs;

pub fn run(_args: ShowArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
