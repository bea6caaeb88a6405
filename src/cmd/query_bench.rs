//! `newsfind query-bench FILE` (hidden, for the benchmark harness): opens the index once,
//! runs every query of FILE `--rounds` times in-process, doing all a search does but
//! print (count, hits, snippets, facets when asked), and prints the latencies as one JSON
//! object. Each line of FILE is the arguments of `newsfind search`, shell-quoted.
//! `--remote URL` runs them on a cluster instead (`crate::cluster`).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::json;

use crate::cli::{Cli, Command, QueryBenchArgs, SearchArgs};
use crate::cluster::ClusterUrl;
use crate::search::{SearchIndex, SearchRequest, SearchResults};

pub fn run(args: QueryBenchArgs) -> anyhow::Result<u8> {
    let shown = args.queries.display().to_string();
    let text =
        std::fs::read_to_string(&args.queries).with_context(|| format!("reading {shown}"))?;
    let mut queries: Vec<(String, SearchRequest)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words = split_words(line).map_err(|err| anyhow::anyhow!("{shown}:{}: {err}", n + 1))?;
        if words.is_empty() {
            continue;
        }
        let argv = ["newsfind".to_string(), "search".to_string()]
            .into_iter()
            .chain(words);
        let cli = Cli::try_parse_from(crate::cli::search_argv(argv)).map_err(|err| {
            let first = err
                .to_string()
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            anyhow::anyhow!("{shown}:{}: {first}", n + 1)
        })?;
        let Command::Search(search) = cli.command else {
            anyhow::bail!("{shown}:{}: not a search", n + 1);
        };
        let today = super::search::today(search.filters.today.as_deref())?;
        let request =
            super::search::request(&search, today).with_context(|| format!("{shown}:{}", n + 1))?;
        queries.push((kind_of(&search, &request), request));
    }
    if queries.is_empty() {
        anyhow::bail!("{shown}: no query in it");
    }
    let rounds = args.rounds.max(1);

    // On a cluster, queries it cannot express are left out (and counted).
    let mut refused = 0;
    if args.remote.is_some() {
        queries.retain(|(_, request)| {
            let ok = crate::cluster::search::translatable(request);
            refused += usize::from(!ok);
            ok
        });
    }
    let opened = Instant::now();
    let index = match &args.remote {
        None => Backend::Local(Box::new(SearchIndex::open(&args.index.dir)?)),
        Some(url) => Backend::Remote(url),
    };
    let open_ms = ms(opened.elapsed());
    let mut all = Vec::with_capacity(queries.len() * rounds);
    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut hits = 0u64;
    for _ in 0..rounds {
        for (kind, request) in &queries {
            let start = Instant::now();
            let results = index.search(request)?;
            let took = start.elapsed();
            hits += std::hint::black_box(results).total;
            all.push(took);
            by_kind.entry(kind.as_str()).or_default().push(took);
        }
    }
    let mut report = summary(&mut all);
    report["queries"] = json!(queries.len());
    report["rounds"] = json!(rounds);
    report["refused"] = json!(refused);
    report["open_ms"] = json!(open_ms);
    report["mean_total_hits"] = json!(hits as f64 / (queries.len() * rounds) as f64);
    let mut kinds = serde_json::Map::new();
    for (kind, mut times) in by_kind {
        let mut s = summary(&mut times);
        s["queries"] = json!(times.len() / rounds);
        kinds.insert(kind.to_string(), s);
    }
    report["by_kind"] = serde_json::Value::Object(kinds);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &report)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// Where the queries run.
enum Backend<'a> {
    Local(Box<SearchIndex>),
    Remote(&'a ClusterUrl),
}

impl Backend<'_> {
    fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults> {
        match self {
            Backend::Local(index) => index.search(request),
            Backend::Remote(url) => crate::cluster::search::search(url, request),
        }
    }
}

/// The shape of a query, to break latencies down by: `facets`, `date`, `phrase`, `N-word`.
fn kind_of(args: &SearchArgs, request: &SearchRequest) -> String {
    let text = args.query.join(" ");
    if args.facets {
        "facets".to_string()
    } else if request.dates.is_bounded() || text.contains("date:") {
        "date".to_string()
    } else if text.contains('"') {
        "phrase".to_string()
    } else {
        format!("{}-word", text.split_whitespace().count())
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Percentiles (nearest rank), mean and max of `times`, in milliseconds.
fn summary(times: &mut [Duration]) -> serde_json::Value {
    times.sort_unstable();
    let n = times.len();
    let pct = |p: f64| -> f64 {
        if n == 0 {
            return 0.0;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        ms(times[rank.clamp(1, n) - 1])
    };
    let mean = if n == 0 {
        0.0
    } else {
        ms(times.iter().sum::<Duration>() / n as u32)
    };
    json!({
        "p50_ms": pct(50.0),
        "p95_ms": pct(95.0),
        "p99_ms": pct(99.0),
        "mean_ms": mean,
        "max_ms": times.last().map_or(0.0, |d| ms(*d)),
    })
}

/// Splits a line into words as a POSIX shell would, without expansions: blanks separate
/// words, '…' is literal, "…" keeps `\"`, `\\`, `\$` and `` \` `` escapes, a backslash
/// outside quotes escapes the next character, and `#` at the start of a word starts a
/// comment.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unclosed single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unclosed double quote".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unclosed double quote".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        for (line, want) in [
            ("", vec![]),
            ("   ", vec![]),
            ("# a comment", vec![]),
            ("ukraine", vec!["ukraine"]),
            (
                "\"climate change\" --since 2016 --source reuters",
                vec!["climate change", "--since", "2016", "--source", "reuters"],
            ),
            (
                "'\"climate change\"' -n 5",
                vec!["\"climate change\"", "-n", "5"],
            ),
            ("\"say \\\"hi\\\"\" x", vec!["say \"hi\"", "x"]),
            ("a\\ b c", vec!["a b", "c"]),
            ("it''s \"\"", vec!["its", ""]),
            (
                "trump --on 'last week' # why not",
                vec!["trump", "--on", "last week"],
            ),
            ("a#b", vec!["a#b"]),
            ("'a'\"b\"c", vec!["abc"]),
        ] {
            assert_eq!(split_words(line).unwrap(), want, "{line:?}");
        }
        assert!(split_words("'open").is_err());
        assert!(split_words("\"open").is_err());
    }

    #[test]
    fn percentiles() {
        let mut times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = summary(&mut times);
        assert_eq!(s["p50_ms"], 50.0);
        assert_eq!(s["p95_ms"], 95.0);
        assert_eq!(s["p99_ms"], 99.0);
        assert_eq!(s["max_ms"], 100.0);
        assert_eq!(s["mean_ms"], 50.5);
    }
}
