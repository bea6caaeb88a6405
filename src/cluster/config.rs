//! `sphinx.conf` for a cluster: one configuration per `searchd` node. Shard `k` holds the
//! real-time index `newsfind_shard{k}`; the head holds the `distributed` index `newsfind`
//! over them, and an empty real-time index with the same tokenizing for snippets.
//!
//! Ports, from a base port P: the head answers SphinxQL on P; shard `k` answers SphinxQL
//! on P+1+2k (newsfind feeds it there) and Sphinx's agent protocol on P+2+2k (the head
//! queries it there). The sync finds a shard's SphinxQL port as its agent port minus one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::document::{ColumnType, COLUMNS};

/// The distributed index the head serves.
pub const DISTRIBUTED_INDEX: &str = "newsfind";
/// The head's local index used by `CALL SNIPPETS` (Sphinx needs a local index for its
/// tokenizer settings; the distributed one has none).
pub const SNIPPET_INDEX: &str = "newsfind_text";
/// Most shards a cluster may have (a sanity bound, not an engine limit).
pub const MAX_SHARDS: usize = 256;

/// The real-time index of shard `k`.
pub fn shard_index(k: usize) -> String {
    format!("newsfind_shard{k}")
}

/// What `newsfind cluster config` is asked for.
#[derive(Debug, Clone)]
pub struct Layout {
    pub shards: usize,
    /// Hosts the shards go to, in turn; the head goes on the first.
    pub hosts: Vec<String>,
    /// Base port (see the module docs).
    pub port: u16,
    /// Where each node keeps its data and logs (`DIR/NODE/`), as seen on its host.
    pub data_dir: PathBuf,
}

/// One node's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// `head` or `shard0`, `shard1`, …: also its file name (`NAME.conf`).
    pub name: String,
    pub host: String,
    /// Where it answers SphinxQL.
    pub sql_port: u16,
    pub text: String,
}

impl Layout {
    /// The configurations of every node, the head first.
    pub fn nodes(&self) -> anyhow::Result<Vec<NodeConfig>> {
        if self.shards == 0 || self.shards > MAX_SHARDS {
            anyhow::bail!("--shards {}: give 1 to {MAX_SHARDS}", self.shards);
        }
        if self.hosts.is_empty() {
            anyhow::bail!("--hosts: give at least one host");
        }
        let last = u32::from(self.port) + 2 + 2 * self.shards as u32;
        if last > u32::from(u16::MAX) {
            anyhow::bail!(
                "--port {}: {} shards need ports up to {last}",
                self.port,
                self.shards
            );
        }
        let shard_host = |k: usize| self.hosts[k % self.hosts.len()].clone();
        let sql_port = |k: usize| self.port + 1 + 2 * k as u16;
        let api_port = |k: usize| self.port + 2 + 2 * k as u16;

        let mut head = String::new();
        header(&mut head, "head: the distributed index searches go to");
        let _ = writeln!(
            head,
            "index {DISTRIBUTED_INDEX}\n{{\n    type = distributed"
        );
        for k in 0..self.shards {
            let _ = writeln!(
                head,
                "    agent = {}:{}:{}",
                shard_host(k),
                api_port(k),
                shard_index(k)
            );
        }
        // Remote shards answer within this long, or the search fails naming them.
        head.push_str("    agent_connect_timeout = 1000\n    agent_query_timeout = 30000\n}\n\n");
        rt_index(&mut head, SNIPPET_INDEX, &self.node_dir("head"));
        searchd(
            &mut head,
            &self.node_dir("head"),
            &[format!("{}:{}:mysql41", self.hosts[0], self.port)],
        );
        let mut nodes = vec![NodeConfig {
            name: "head".to_string(),
            host: self.hosts[0].clone(),
            sql_port: self.port,
            text: head,
        }];
        for k in 0..self.shards {
            let name = format!("shard{k}");
            let dir = self.node_dir(&name);
            let mut text = String::new();
            header(&mut text, &format!("shard {k} of {}", self.shards));
            rt_index(&mut text, &shard_index(k), &dir);
            searchd(
                &mut text,
                &dir,
                &[
                    format!("{}:{}:mysql41", shard_host(k), sql_port(k)),
                    format!("{}:{}", shard_host(k), api_port(k)),
                ],
            );
            nodes.push(NodeConfig {
                name,
                host: shard_host(k),
                sql_port: sql_port(k),
                text,
            });
        }
        Ok(nodes)
    }

    fn node_dir(&self, node: &str) -> PathBuf {
        self.data_dir.join(node)
    }
}

fn header(out: &mut String, what: &str) {
    let _ = writeln!(
        out,
        "# newsfind cluster node: {what}.\n# Written by `newsfind cluster config`; \
         start with `searchd --config THIS_FILE`.\n"
    );
}

/// A real-time index with newsfind's columns and tokenizing: lower-cased, Latin accents
/// folded (`café` is `cafe`), English (Porter2) stems as in the local index, prefixes.
fn rt_index(out: &mut String, name: &str, dir: &Path) {
    let _ = writeln!(out, "index {name}\n{{\n    type = rt");
    let _ = writeln!(out, "    path = {}", dir.join(name).display());
    for (column, kind) in COLUMNS {
        let directive = match kind {
            ColumnType::Field => "rt_field",
            ColumnType::Text => "rt_attr_string",
            ColumnType::Uint => "rt_attr_uint",
            ColumnType::Bigint => "rt_attr_bigint",
        };
        let _ = writeln!(out, "    {directive} = {column}");
    }
    let _ = writeln!(
        out,
        "    morphology = libstemmer_english\n    dict = keywords\n    min_prefix_len = 1\n    \
         rt_mem_limit = 256M\n    charset_table = {}\n}}\n",
        charset_table()
    );
}

fn searchd(out: &mut String, dir: &Path, listen: &[String]) {
    out.push_str("searchd\n{\n");
    for l in listen {
        let _ = writeln!(out, "    listen = {l}");
    }
    let _ = writeln!(
        out,
        "    log = {log}\n    pid_file = {pid}\n    binlog_path = {dir}\n    workers = threads\n    \
         max_packet_size = 32M\n    read_timeout = 30\n    client_timeout = 3600\n}}",
        log = dir.join("searchd.log").display(),
        pid = dir.join("searchd.pid").display(),
        dir = dir.display(),
    );
}

/// Digits, letters, and Latin letters with accents folded to their base letter (tantivy's
/// ASCII folding does the same locally; letters it folds to two, like `æ`, Sphinx
/// cannot, and they stay separators there).
fn charset_table() -> String {
    let mut parts = vec![
        "0..9".to_string(),
        "A..Z->a..z".to_string(),
        "a..z".to_string(),
    ];
    for (from, to) in LATIN_FOLDS {
        for c in from.chars() {
            parts.push(format!("U+{:02X}->{to}", c as u32));
        }
    }
    parts.join(", ")
}

/// Accented Latin letters (Latin-1 Supplement and Latin Extended-A) by base letter.
const LATIN_FOLDS: [(&str, char); 20] = [
    ("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", 'a'),
    ("ÇçĆćĈĉĊċČč", 'c'),
    ("ĎďĐđ", 'd'),
    ("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", 'e'),
    ("ĜĝĞğĠġĢģ", 'g'),
    ("ĤĥĦħ", 'h'),
    ("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", 'i'),
    ("Ĵĵ", 'j'),
    ("Ķķ", 'k'),
    ("ĹĺĻļĽľĿŀŁł", 'l'),
    ("ÑñŃńŅņŇň", 'n'),
    ("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", 'o'),
    ("ŔŕŖŗŘř", 'r'),
    ("ŚśŜŝŞşŠš", 's'),
    ("ŢţŤťŦŧ", 't'),
    ("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", 'u'),
    ("Ŵŵ", 'w'),
    ("ÝýÿŶŷŸ", 'y'),
    ("ŹźŻżŽž", 'z'),
    ("Ðð", 'd'),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shards: usize, hosts: &[&str]) -> Layout {
        Layout {
            shards,
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            port: 9306,
            data_dir: PathBuf::from("/var/lib/newsfind"),
        }
    }

    #[test]
    fn two_shards_on_two_hosts() {
        let nodes = layout(2, &["10.0.0.1", "10.0.0.2"]).nodes().unwrap();
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["head", "shard0", "shard1"]);
        let head = &nodes[0].text;
        assert!(
            head.contains("agent = 10.0.0.1:9308:newsfind_shard0"),
            "{head}"
        );
        assert!(
            head.contains("agent = 10.0.0.2:9310:newsfind_shard1"),
            "{head}"
        );
        assert!(head.contains("listen = 10.0.0.1:9306:mysql41"));
        assert!(head.contains("index newsfind_text"));
        let shard1 = &nodes[2];
        assert_eq!((shard1.host.as_str(), shard1.sql_port), ("10.0.0.2", 9309));
        assert!(shard1.text.contains("listen = 10.0.0.2:9309:mysql41"));
        assert!(shard1.text.contains("listen = 10.0.0.2:9310\n"));
        assert!(shard1
            .text
            .contains("path = /var/lib/newsfind/shard1/newsfind_shard1"));
        for column in [
            "rt_field = title",
            "rt_attr_bigint = day",
            "rt_attr_string = path",
        ] {
            assert!(shard1.text.contains(column), "{column}");
        }
        assert!(shard1.text.contains("U+E9->e"), "é folds to e");
    }

    #[test]
    fn bad_layouts() {
        assert!(layout(0, &["h"]).nodes().is_err());
        assert!(layout(2, &[]).nodes().is_err());
        let mut l = layout(2, &["h"]);
        l.port = 65_530;
        assert!(l.nodes().is_err());
    }
}
