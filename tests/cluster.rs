//! A real Sphinx cluster, end to end: `newsfind cluster config` writes two shards and a
//! head on free loopback ports in a temp dir, `searchd` runs them, `newsfind index --to`
//! feeds them, and a battery of searches must find the same documents with `--remote`
//! as locally. Then files are deleted, changed and added, and a re-run must bring the
//! cluster to the new state; an unchanged re-run sends nothing; a dead shard is named.
//!
//! Skipped (with a message) when `searchd` (Debian `sphinxsearch`) is not installed.
//! Feeds ../shared/corpus/sample (or $NEWSFIND_SAMPLE) when it is there, else a generated
//! archive. Every
//! `searchd` started is stopped by [`Cluster`]'s `Drop`, also when the test fails.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{ChildGuard, Run, TestEnv};

const TODAY: &str = "2025-06-01";
/// Nodes of a 2-shard cluster, as `cluster config` names them.
const NODES: [&str; 3] = ["shard0", "shard1", "head"];

fn searchd_installed() -> bool {
    Command::new("searchd")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A running cluster in a temp dir; stops its `searchd`s when dropped.
struct Cluster {
    env: TestEnv,
    port: u16,
    children: Vec<(String, ChildGuard)>,
}

impl Cluster {
    fn start() -> Cluster {
        let port = free_ports(5);
        let mut cluster = Cluster {
            env: TestEnv::new().today(TODAY),
            port,
            children: Vec::new(),
        };
        let data = cluster.path("cluster");
        let out = cluster.run(&[
            "cluster",
            "config",
            "--shards",
            "2",
            "--hosts",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--data-dir",
            data.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{}", out.err);
        for node in NODES {
            cluster.start_node(node);
        }
        for p in [port, port + 1, port + 3] {
            wait_for_port(p);
        }
        cluster
    }

    fn start_node(&mut self, node: &str) {
        let conf = self.path("cluster").join(format!("{node}.conf"));
        let child = ChildGuard::spawn(
            Command::new("searchd")
                .arg("--config")
                .arg(&conf)
                .arg("--nodetach")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        self.children.push((node.to_string(), child));
    }

    /// Stops one node (and waits for it), as a crash would leave it: gone.
    fn stop_node(&mut self, node: &str) {
        let conf = self.path("cluster").join(format!("{node}.conf"));
        let _ = Command::new("searchd")
            .arg("--config")
            .arg(&conf)
            .arg("--stopwait")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // Dropping the guard kills what is left of it and waits for it.
        self.children.retain(|(n, _)| n != node);
    }

    fn url(&self) -> String {
        format!("sphinx://127.0.0.1:{}", self.port)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.env.path(rel)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.env.run(args)
    }

    /// `newsfind index ARCHIVE --index INDEX --to URL`; its stderr.
    fn feed(&self) -> String {
        let url = self.url();
        let out = self.env.index(&["--to", &url]);
        // 2: some files skipped (the sample has empty and binary ones on purpose).
        assert!(matches!(out.code, 0 | 2), "index --to failed: {}", out.err);
        out.err
    }

    /// A search as JSON, locally or on the cluster.
    fn search(&self, args: &[&str], remote: bool) -> Value {
        let mut all: Vec<&str> = vec!["search", "--format", "json", "--limit", "100000"];
        all.extend(args);
        let url = self.url();
        let index = self.env.index_dir();
        if remote {
            all.extend(["--remote", &url]);
        } else {
            // The cluster holds no story ids: compare with every copy listed.
            all.extend(["--index", index.to_str().unwrap(), "--copies"]);
        }
        let out = self.run(&all);
        assert!(matches!(out.code, 0 | 1), "{all:?}: {}", out.err);
        serde_json::from_str(&out.out).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in NODES {
            self.stop_node(node);
        }
    }
}

/// A base port with the `n` ports from it free on the loopback address.
fn free_ports(n: u16) -> u16 {
    for _ in 0..50 {
        let base = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if base > u16::MAX - n {
            continue;
        }
        let all_free = (base..base + n).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no {n} free loopback ports in a row");
}

fn wait_for_port(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "searchd did not listen on {port}"
        );
        sleep(Duration::from_millis(50));
    }
}

/// An archive of `n` articles over three sources and three years, with teasers, from a
/// small vocabulary that the battery's queries use.
fn generate_archive(dir: &Path, n: usize) {
    const WORDS: [&str; 24] = [
        "ukraine",
        "climate",
        "change",
        "white",
        "house",
        "brexit",
        "remain",
        "trump",
        "biden",
        "election",
        "elections",
        "elected",
        "deal",
        "border",
        "economy",
        "vote",
        "court",
        "budget",
        "war",
        "talks",
        "city",
        "council",
        "report",
        "market",
    ];
    const SOURCES: [&str; 3] = ["reuters", "the-hill", "fox-news"];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    let mut titles = Vec::new();
    for i in 0..n {
        let mut sentence = |len: usize| -> String {
            let words: Vec<&str> = (0..len).map(|_| WORDS[next(WORDS.len())]).collect();
            words.join(" ")
        };
        let title = format!("{} {i}", sentence(4));
        let body = format!("{}. {}.\n\n{}.", sentence(12), sentence(9), sentence(15));
        titles.push(title.clone());
        let source = SOURCES[i % SOURCES.len()];
        let date = format!("{}-{:02}-{:02}", 2019 + i % 3, 1 + i % 12, 1 + i % 28);
        let mut file = format!(" date {date} {title}\n\n{body}\n");
        if i > 2 {
            file.push_str("\nLatest Stories\n\n");
            for t in [&titles[i - 1], &titles[i / 2]] {
                file.push_str(&format!("  • {t}\n\n    {}.\n\n", sentence(6)));
            }
        }
        let folder = dir.join(source);
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(format!("{i:03}.txt")), file).unwrap();
    }
}

/// The archive to feed: a copy of the shared sample, else a generated one.
fn make_archive(to: &Path) -> &'static str {
    // NEWSFIND_SAMPLE: the sample elsewhere (a worktree has no ../shared beside it).
    let sample = std::env::var_os("NEWSFIND_SAMPLE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sample"),
        PathBuf::from,
    );
    if sample.is_dir() {
        common::copy_tree(&sample, to);
        "the shared sample (../shared/corpus/sample)"
    } else {
        generate_archive(to, 150);
        "a generated archive (../shared/corpus/sample is not there)"
    }
}

fn ids(result: &Value) -> BTreeSet<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// The searches compared; each runs locally and on the cluster.
const BATTERY: &[&[&str]] = &[
    &["ukraine"],
    &["climate change"],
    &["\"white house\""],
    &["brexit OR remain"],
    &["trump -biden"],
    &["elect*"],
    &["elections*"],
    &["title:trump"],
    &["body:border deal"],
    &["date:2019..2020 trump"],
    &["trump", "--since", "2020-01", "--until", "2020-06"],
    &["trump", "--source", "reuters", "--source", "the-hill"],
    &["trump", "--sort", "newest"],
    &["deal", "--sort", "oldest", "--kind", "article"],
    &["trump", "--kind", "teaser"],
    &["*", "--kind", "all"],
    &["(brexit OR remain) deal"],
    &["economy", "--facets"],
];

/// Remote and local agree: same total, same documents; for date sorts the same dates in
/// the same order, and the same document wherever its date is not shared.
fn check_battery(cluster: &Cluster) {
    for args in BATTERY {
        let local = cluster.search(args, false);
        let remote = cluster.search(args, true);
        assert_eq!(local["total"], remote["total"], "{args:?}: total");
        assert_eq!(ids(&local), ids(&remote), "{args:?}: documents");
        if args.contains(&"--sort") {
            let dates = |r: &Value| -> Vec<Value> {
                r["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["date"].clone())
                    .collect()
            };
            let (ld, rd) = (dates(&local), dates(&remote));
            assert_eq!(ld, rd, "{args:?}: dates in order");
            for (i, date) in ld.iter().enumerate() {
                if ld.iter().filter(|d| *d == date).count() == 1 {
                    assert_eq!(
                        local["hits"][i]["id"], remote["hits"][i]["id"],
                        "{args:?}: hit {i}"
                    );
                }
            }
        }
        if args.contains(&"--facets") {
            // The cluster holds no story ids: its facets count documents only (stories
            // null), the local ones stories too.
            let mut counts = local["facets"].clone();
            counts["undated_stories"] = Value::Null;
            for list in ["sources", "months"] {
                for c in counts[list].as_array_mut().unwrap() {
                    c["stories"] = Value::Null;
                }
            }
            assert_eq!(counts, remote["facets"], "{args:?}: facets");
        }
        // Hits print the same fields (snippets aside: two engines cut passages apart).
        if let (Some(l), Some(r)) = (local["hits"].get(0), remote["hits"].get(0)) {
            let lid = l["id"].as_str().unwrap();
            let same = remote["hits"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["id"] == lid)
                .unwrap_or(r);
            for key in ["title", "date", "source", "source_slug", "path", "kind"] {
                assert_eq!(l[key], same[key], "{args:?}: {key}");
            }
            for key in ["seen_as_teaser", "seen_count", "last_seen", "truncated"] {
                assert_eq!(l.get(key), same.get(key), "{args:?}: {key}");
            }
        }
    }
}

#[test]
fn a_cluster_answers_as_the_local_index() {
    if !searchd_installed() {
        eprintln!("skipped: searchd is not installed (Debian package sphinxsearch)");
        return;
    }
    let mut cluster = Cluster::start();
    let archive = cluster.path("archive");
    let what = make_archive(&archive);
    eprintln!("feeding {what}");

    let fed = cluster.feed();
    assert!(fed.contains("sent "), "{fed}");
    check_battery(&cluster);

    // Nothing changed: nothing is sent.
    let again = cluster.feed();
    assert!(again.contains("is up to date"), "{again}");

    // Delete, change and add files; the re-run brings the cluster along.
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in fs::read_dir(&archive).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in fs::read_dir(&dir).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    let txt: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
        .filter(|f| fs::metadata(f).unwrap().len() > 200)
        .collect();
    for f in &txt[..3] {
        fs::remove_file(f).unwrap();
    }
    for f in &txt[3..5] {
        let mut content = fs::read_to_string(f).unwrap_or_default();
        content = content.replacen('\n', "\n\nzyzzyva quokka\n\n", 1);
        fs::write(f, content).unwrap();
    }
    let new_dir = archive.join("new-source");
    fs::create_dir_all(&new_dir).unwrap();
    fs::write(
        new_dir.join("001.txt"),
        " date 2025-05-30 Zyzzyva found in the city\n\nA zyzzyva was found by the council.\n",
    )
    .unwrap();
    let resync = cluster.feed();
    assert!(resync.contains("sent "), "{resync}");
    assert!(!resync.contains("deleted 0 "), "{resync}");
    check_battery(&cluster);
    let local = cluster.search(&["zyzzyva"], false);
    let remote = cluster.search(&["zyzzyva"], true);
    assert_eq!(local["total"], 3, "two changed files and a new one");
    assert_eq!(ids(&local), ids(&remote));
    let removed = cluster.search(&["*"], true);
    let local_all = cluster.search(&["*"], false);
    assert_eq!(removed["total"], local_all["total"]);

    // A refused query says why, and exits 2.
    let url = cluster.url();
    let out = cluster.run(&["search", "--remote", &url, "--", "-trump"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("excluded words alone"));

    // A dead shard: the sync names it; the search does not pass off half the answer.
    cluster.stop_node("shard1");
    let out = cluster.env.on_index(&["cluster", "sync", "--to", &url]);
    assert_eq!(out.code, 2);
    let err = out.err;
    assert!(
        err.contains("newsfind_shard1") && err.contains("does not answer"),
        "{err}"
    );
    let out = cluster.run(&["search", "trump", "--remote", &url]);
    assert_eq!(out.code, 2, "{}", out.out);
    let err = out.err;
    assert!(err.contains("answered only in part"), "{err}");
}
