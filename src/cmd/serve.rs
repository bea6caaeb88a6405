//! `newsfind serve`: the arguments to a [`ServeConfig`], the index opened for a
//! long-running reader, the server. With no index at the default place, indexes `data/`
//! first, as `search` does.

use std::time::Duration;

use crate::cli::ServeArgs;
use crate::search::SearchIndex;
use crate::serve::{self, ServeConfig};

pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    let today = match &args.today {
        Some(day) => Some(super::search::today(Some(day))?),
        None => None,
    };
    super::search::ensure_index(&args.index)?;
    let index = SearchIndex::open_live(&args.index.dir)?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let token = match args.token {
        Some(token) if token.trim().is_empty() => {
            anyhow::bail!("--token is empty: give a secret, or leave --token out")
        }
        token => token,
    };
    let config = ServeConfig {
        dir: args.index.dir.clone(),
        addr: args.addr,
        token,
        timeout: Duration::from_millis(args.timeout_ms),
        max_searches: args.max_searches.map_or(cores, |n| n as usize),
        today,
        test_delay: Duration::from_millis(args.test_delay_ms),
    };
    serve::run(index, config)?;
    Ok(super::EXIT_OK)
}
