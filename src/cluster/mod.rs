//! Scaling out on Sphinx 2.2 / Manticore: the configuration of a sharded cluster, the
//! documents newsfind sends it, the sync that keeps it equal to a local index, and remote
//! searches that hand back the same plain data ([`crate::search::SearchResults`]) as a
//! local one.
//!
//! The cluster is N `searchd` nodes holding one real-time shard each, plus a head node
//! holding a `distributed` index over them. Searches go to the head; documents go to the
//! shard their id hashes to (Sphinx 2.2 cannot insert through a distributed index). The
//! head names its shards (`DESCRIBE`), so a URL of the head is all a user gives.

mod client;
pub mod config;
mod document;
pub mod search;
pub mod sync;
mod translate;

use std::fmt;
use std::str::FromStr;

/// The scheme of a cluster URL.
const SCHEME: &str = "sphinx://";

/// Where a node answers SphinxQL: `sphinx://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterUrl {
    pub host: String,
    pub port: u16,
}

impl FromStr for ClusterUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<ClusterUrl, String> {
        let rest = s
            .strip_prefix(SCHEME)
            .ok_or_else(|| format!("{s:?} is not a cluster URL: write sphinx://HOST:PORT"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| format!("{s:?} has no port: write sphinx://HOST:PORT"))?;
        if host.is_empty() {
            return Err(format!("{s:?} has no host: write sphinx://HOST:PORT"));
        }
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| format!("{s:?}: {port:?} is not a port number"))?;
        Ok(ClusterUrl {
            host: host.to_string(),
            port,
        })
    }
}

impl fmt::Display for ClusterUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}:{}", self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let url: ClusterUrl = "sphinx://127.0.0.1:9306".parse().unwrap();
        assert_eq!(url.host, "127.0.0.1");
        assert_eq!(url.port, 9306);
        assert_eq!(url.to_string(), "sphinx://127.0.0.1:9306");
        for bad in [
            "127.0.0.1:9306",
            "http://x:1",
            "sphinx://x",
            "sphinx://:9306",
            "sphinx://x:0",
            "sphinx://x:99999",
        ] {
            assert!(bad.parse::<ClusterUrl>().is_err(), "{bad}");
        }
    }
}
