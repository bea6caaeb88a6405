//! What a person sees in a terminal and what a pipe gets (issue 9): the index summary,
//! machine formats that list every match, wrapping, escapes from files, sources by name,
//! and the small things (date-span note, ids, man pages, `stats -f`, zero months, pager).
//! Archives are written into temp dirs by the tests; a terminal, where one is needed,
//! comes from `script` (util-linux/bsdutils), and those tests say so and stop without it.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{bin, Run, TestEnv};

const TODAY: &str = "2025-02-06";

/// This file's way of running newsfind, on the shared [`TestEnv`].
impl TestEnv {
    /// Runs `newsfind ARGS` in a terminal of `cols` columns (through `script`), with the
    /// environment `env`; `None` when there is no `script` to make one.
    fn in_terminal(&self, cols: u16, env: &[(&str, &str)], args: &[&str]) -> Option<String> {
        if Command::new("script").arg("--version").output().is_err() {
            eprintln!("no `script` command: the terminal part of this test is skipped");
            return None;
        }
        let bin = bin();
        let quoted: Vec<String> = std::iter::once(bin.to_str().unwrap())
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let line = format!("stty cols {cols} rows 50; {}", quoted.join(" "));
        let mut cmd = Command::new("script");
        self.configure(&mut cmd)
            .args(["-qec", &line, "/dev/null"])
            .env("TERM", "xterm");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Some(String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"))
    }
}

/// An article file: header, body paragraphs.
fn article(header: &str, body: &[&str]) -> String {
    let mut s = format!("{header}\n\nBy A Writer\n\u{b7}2 min read\n\n");
    for p in body {
        s += &format!("{p}\n\n");
    }
    s
}

/// An archive of `n` articles about storms (one a day from 2020-01-01), in 3 sources.
fn storms(env: &TestEnv, n: usize) {
    for i in 0..n {
        let source = ["reuters", "the-hill", "bbc-news"][i % 3];
        let day = chrono_day(i);
        env.write(
            format!("{source}/{i:03}.txt"),
            article(
                &format!(" date {day} Storm number {i} hits the coast"),
                &["The storm brought rain and wind to the coast today."],
            ),
        );
    }
}

/// `2020-01-01` plus `i` days, within 2020 (enough for the tests).
fn chrono_day(i: usize) -> String {
    let month_days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut day = i % 366;
    for (m, len) in month_days.iter().enumerate() {
        if day < *len {
            return format!("2020-{:02}-{:02}", m + 1, day + 1);
        }
        day -= len;
    }
    unreachable!()
}

// 1. The index summary.

#[test]
fn index_counts_warnings_by_reason_and_lists_skipped_files() {
    let env = TestEnv::new().today(TODAY);
    for i in 0..1_001 {
        env.write(
            format!("undated/{i:04}.txt"),
            article(&format!(" date None Story {i}"), &["Some text."]),
        );
    }
    env.write(
        "misc/crlf.txt",
        " date 2020-01-06 Windows story\r\n\r\nBody.\r\n",
    );
    env.write("misc/empty.txt", "");
    let Run { code, err, .. } = env.index(&[]);
    assert_eq!(code, 2, "a skipped file makes exit 2: {err}");
    // No line per file: a summary, warnings by reason with examples, skipped files.
    assert!(err.lines().count() < 20, "{err}");
    assert!(err.contains("1,003 files: 1,003 new,"), "{err}");
    assert!(err.contains("1 (1 empty) skipped"), "{err}");
    assert!(err.contains("holds 1,002 articles"), "{err}");
    assert!(
        err.contains("1,002 warnings in 1,002 files; every line in idx/warnings.txt:"),
        "{err}"
    );
    assert!(
        err.contains("  1,001  header date \"\u{2026}\" is not a date: undated\n"),
        "{err}"
    );
    assert!(
        err.contains("undated\n         archive/undated/0000.txt\n         archive/undated/0001.txt\n         archive/undated/0002.txt\n      1  CRLF"),
        "{err}"
    );
    assert!(
        err.contains("      1  CRLF line endings\n         archive/misc/crlf.txt\n"),
        "{err}"
    );
    assert!(
        err.ends_with("1 file not in the index:\n  archive/misc/empty.txt: skipped: empty: the file has no text\n"),
        "{err}"
    );
    let report = fs::read_to_string(env.path("idx/warnings.txt")).unwrap();
    assert_eq!(report.lines().count(), 1_002);
    assert!(
        report.contains("archive/undated/0500.txt: header date \"None\" is not a date: undated\n")
    );

    // -q: only the skipped files, which the index lacks.
    let Run { code, err, .. } = env.index(&["-q"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "1 file not in the index:\n  archive/misc/empty.txt: skipped: empty: the file has no text\n"
    );
    // -v: every warning line (here: none, nothing changed); --rebuild -v: all of them.
    let err = env.index(&["--rebuild", "-v"]).err;
    assert!(
        err.contains("archive/undated/0999.txt: header date \"None\" is not a date: undated\n"),
        "{err}"
    );
    assert!(err.lines().count() > 1_002, "{}", err.lines().count());
    assert!(!err.contains("every line in"), "{err}");
}

// 2 and 7. Machine formats list every match, streaming.

#[test]
fn machine_formats_list_every_match() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 25);
    env.index(&["-q"]);
    let Run { code, out, err } = env.search(&["storm", "-f", "paths"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 25, "{out}");
    assert_eq!(err, "");
    let jsonl = env.search(&["storm", "-f", "jsonl"]).out;
    assert_eq!(jsonl.lines().count(), 25);
    // The same hits in the same order as a page of JSON with -n all.
    let json = env.search(&["storm", "-f", "json", "-n", "all"]).out;
    let json: Value = serde_json::from_str(&json).unwrap();
    let json_paths: Vec<&str> = json["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    let jsonl_paths: Vec<String> = jsonl
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["path"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(json_paths, jsonl_paths);
    let shown: Vec<String> = out
        .lines()
        .map(|p| env.path(p).display().to_string())
        .collect();
    assert_eq!(shown, jsonl_paths);
    // Fewer asked for: said on stderr.
    let Run { out, err, .. } = env.search(&["storm", "-f", "paths", "-n", "5"]);
    assert_eq!(out.lines().count(), 5);
    assert_eq!(
        err,
        "newsfind: printed 5 of 25 matches (20 left out; -n all prints every one)\n"
    );
    // Text keeps pages of 10; -n all shows all; -n 0 only counts.
    let out = env.search(&["storm", "--color", "never"]).out;
    assert!(out.starts_with("25 matches, showing 1-10\n"), "{out}");
    let out = env.search(&["storm", "--color", "never", "-n", "all"]).out;
    assert!(out.starts_with("25 matches\n"), "{out}");
    assert_eq!(out.matches("Storm number").count(), 25);
    let out = env.search(&["storm", "--color", "never", "-n", "0"]).out;
    assert_eq!(out, "25 matches\n");
    let Run { code, err, .. } = env.search(&["storm", "-n", "lots"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"lots\" is not a number of hits"), "{err}");
}

// 6. File names with newlines: -0.

#[test]
fn null_separated_paths() {
    let env = TestEnv::new().today(TODAY);
    env.write(
        "odd/two\nlines.txt",
        article(" date 2020-01-01 Strange name", &["A storm."]),
    );
    env.write(
        "odd/plain.txt",
        article(" date 2020-01-02 Plain name", &["A storm."]),
    );
    env.index(&["-q"]);
    let Run { code, out, err } =
        env.on_index(&["search", "storm", "-f", "paths", "-0", "--sort", "oldest"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.as_bytes(),
        b"archive/odd/two\nlines.txt\0archive/odd/plain.txt\0"
    );
    let Run { code, err, .. } = env.on_index(&["search", "storm", "-0"]);
    assert_eq!(code, 2);
    assert!(err.contains("-0/--null"), "{err}");
}

// 6. Escapes from files never reach the terminal.

#[test]
fn escapes_in_files_are_neutralised() {
    let env = TestEnv::new().today(TODAY);
    let evil = "\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]0;owned\x07";
    // Prose around them, or the file would be taken for binary (many control characters).
    let prose = "Words of an ordinary article go on for a while here. ".repeat(20);
    env.write(
        format!("evil/{evil}name.txt"),
        format!(
            " date None Storm title{evil}\n\nBy Writer{evil}\n\u{b7}2 min read\n\nThe storm body{evil} goes on.\n\n{prose}\n\nLatest Stories\n\n  \u{2022} Teaser{evil} storm\n\n    Summary{evil}.\n"
        ),
    );
    env.write(
        "evil/bad-date.txt",
        format!(" date Non{evil}e Storm undated\n\n{prose}\n"),
    );
    let err = env.index(&["-v"]).err;
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    // The name of the file, in its warning (undated).
    assert!(err.contains("archive/evil/\u{241b}[2J"), "{err}");
    for args in [
        vec!["search", "storm", "--color", "never", "-n", "all"],
        vec!["search", "storm", "--color", "always", "-n", "all"],
        vec!["search", "storm", "--facets", "--color", "never"],
        vec!["sources"],
    ] {
        let Run { code, out, err } = env.on_index(&args);
        assert!(code <= 1, "{args:?}: {err}");
        let stripped = out
            .replace("\x1b[0m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[2m", "")
            .replace("\x1b[31m", "")
            .replace("\x1b[35m", "")
            .replace("\x1b[36m", "");
        assert!(
            !stripped.contains('\x1b') && !stripped.contains('\x07'),
            "{args:?}: {out:?}"
        );
    }
    let out = env.search(&["storm", "--color", "never", "-n", "all"]).out;
    assert!(
        out.contains("Storm title\u{241b}[2J\u{241b}]52;c;cHduZWQ=\u{2407}"),
        "{out}"
    );
    // show: title, byline, body and teasers.
    let paths = env.search(&["title", "-f", "paths"]).out;
    let Run { code, out, err } = env.on_index(&["show", paths.trim_end(), "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("Writer\u{241b}[2J"), "{out}");
    assert!(out.contains("Teaser\u{241b}[2J"), "{out}");
    // JSON escapes them as JSON does.
    let out = env.search(&["title", "-f", "json"]).out;
    assert!(!out.contains('\x1b'));
    assert!(out.contains("\\u001b[2J"), "{out}");
}

// 3. Wrapping: to the terminal's width on a terminal, never in a pipe.

#[test]
fn snippets_wrap_to_the_terminal_and_not_in_pipes() {
    let env = TestEnv::new().today(TODAY);
    let long = "The storm brought heavy rain and strong wind to the whole of the coast today, and the forecasters said that more of the same weather was on its way for the rest of the week.";
    env.write(
        "reuters/001.txt",
        article(
            " date 2020-01-01 A very long title about the storm that hit the coast and what it did to the towns along it",
            &[long],
        ),
    );
    env.index(&["-q"]);
    let out = env.search(&["storm", "--color", "never"]).out;
    assert!(
        out.contains(&format!("\n  {long}\n")),
        "a pipe gets whole lines: {out}"
    );
    let Some(out) = env.in_terminal(
        50,
        &[],
        &["search", "storm", "--index", "idx", "--color", "never"],
    ) else {
        return;
    };
    let snippet: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("  The storm"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(snippet.len() >= 4, "{out}");
    for line in &snippet {
        assert!(line.chars().count() <= 50, "{line:?} in {out}");
        assert!(line.starts_with("  "), "{line:?} keeps the indent");
    }
    assert_eq!(
        snippet
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" "),
        long
    );
    let title: Vec<&str> = out
        .lines()
        .take_while(|l| !l.starts_with("  "))
        .skip(2)
        .collect();
    assert!(
        title.len() >= 2 && title.iter().all(|l| l.chars().count() <= 50),
        "{out}"
    );
}

// 5. Sources by name, all of them.

#[test]
fn sources_are_listed_by_name_with_counts_and_dates() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 14);
    env.write(
        "bbc-news/named.txt",
        article(
            "BBC News date 2021-03-04 Storm at the BBC",
            &["Storm text."],
        ),
    );
    env.index(&["-q"]);
    let Run { code, out, err } = env.on_index(&["sources"]);
    assert_eq!(code, 0, "{err}");
    let text = out;
    assert_eq!(
        text,
        "3 sources, by articles (first and last date)
  BBC News (bbc-news)  5  2020-01-03 .. 2021-03-04
  reuters              5  2020-01-01 .. 2020-01-13
  the-hill             5  2020-01-02 .. 2020-01-14
"
    );
    let json = env.on_index(&["sources", "-f", "json"]).out;
    let lines: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"slug": "bbc-news", "name": "BBC News", "articles": 5,
            "first_date": "2020-01-03", "last_date": "2021-03-04"})
    );
    // Facets and stats name them too.
    let out = env
        .search(&["storm", "--facets", "--color", "never", "-n", "0"])
        .out;
    assert!(out.contains("\n  BBC News  "), "{out}");
    let json = env
        .search(&["storm", "--facets", "-f", "json", "-n", "0"])
        .out;
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["facets"]["sources"][0]["name"], "BBC News");
    let out = env.on_index(&["stats"]).out;
    assert!(out.contains("\n  BBC News  "));
}

// 8. The small things.

#[test]
fn a_date_filter_that_excludes_everything_says_the_archive_s_dates() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 3);
    env.index(&["-q"]);
    let Run { code, out, err } =
        env.search(&["storm", "--since", "last month", "--color", "never"]);
    assert_eq!(code, 1);
    assert_eq!(out, "0 matches\n");
    assert_eq!(
        err,
        "newsfind: the date filter asks for documents since 2025-01-01, but the index's documents are dated 2020-01-01 to 2020-01-03\n"
    );
    // A filter inside the span that finds nothing is not explained by the span.
    let Run { code, err, .. } = env.search(&["storm", "--on", "2020-01-02", "--kind", "teaser"]);
    assert_eq!(code, 1);
    assert_eq!(err, "");
}

#[test]
fn text_hits_show_the_id_that_show_takes() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 1);
    env.index(&["-q"]);
    let out = env.search(&["storm", "--color", "never"]).out;
    let facts = out.lines().nth(3).unwrap();
    let id = facts.split_whitespace().next().unwrap();
    assert!(id.len() == 17 && id.starts_with('a'), "{out}");
    let Run {
        code,
        out: shown,
        err,
    } = env.on_index(&["show", id, "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    assert!(shown.starts_with("Storm number 0 hits the coast\n"));
}

#[test]
fn man_pages_for_every_subcommand() {
    let env = TestEnv::new().today(TODAY);
    let out = env.run(&["man"]);
    assert_eq!(out.code, 0);
    let top = out.out;
    assert!(top.starts_with(".ie \\n(.g .ds Aq"), "{}", &top[..80]);
    assert!(
        top.contains("newsfind\\-search(1)"),
        "the top page names the others"
    );
    let out = env.run(&["man", "search"]);
    let page = out.out;
    assert!(page.contains(".TH newsfind-search 1"), "{page}");
    assert!(page.contains("\\-\\-since"), "{page}");
    let out = env.run(&["man", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("no subcommand \"nope\""));
    let out = env.run(&["man", "--dir", "pages"]);
    assert_eq!(out.code, 0);
    for page in [
        "newsfind.1",
        "newsfind-index.1",
        "newsfind-search.1",
        "newsfind-sources.1",
    ] {
        assert!(env.path("pages").join(page).is_file(), "{page}");
    }
    // Every page the top page refers to is there.
    for name in top.split("newsfind\\-").skip(1) {
        let sub: String = name
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        if !sub.is_empty() && top.contains(&format!("newsfind\\-{sub}(1)")) {
            assert!(
                env.path("pages")
                    .join(format!("newsfind-{sub}.1"))
                    .is_file(),
                "{sub}"
            );
        }
    }
    assert!(!env.path("pages/newsfind-query-bench.1").exists(), "hidden");
}

#[test]
fn stats_refuses_paths() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 1);
    env.index(&["-q"]);
    let Run { code, out, err } = env.on_index(&["stats", "-f", "paths"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("invalid value 'paths'"), "{err}");
    let Run { code, .. } = env.on_index(&["stats", "-f", "json"]);
    assert_eq!(code, 0);
}

#[test]
fn month_facets_show_empty_months() {
    let env = TestEnv::new().today(TODAY);
    env.write(
        "a/1.txt",
        article(" date 2020-01-05 Storm one", &["Storm."]),
    );
    env.write(
        "a/2.txt",
        article(" date 2020-04-05 Storm two", &["Storm."]),
    );
    env.index(&["-q"]);
    let json = env.search(&["storm", "--facets", "-f", "json"]).out;
    let json: Value = serde_json::from_str(&json).unwrap();
    let months: Vec<(String, u64)> = json["facets"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2020-01".to_string(), 1),
            ("2020-02".to_string(), 0),
            ("2020-03".to_string(), 0),
            ("2020-04".to_string(), 1)
        ]
    );
}

#[test]
fn show_pages_on_a_terminal_only() {
    let env = TestEnv::new().today(TODAY);
    storms(&env, 1);
    env.index(&["-q"]);
    let out = env.search(&["storm", "-f", "paths"]).out;
    let target = out.trim_end().to_string();
    // In a pipe: no pager, whatever PAGER says.
    let piped = env
        .command(&["show", &target, "--index", "idx"])
        .env("PAGER", "false")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&piped.stdout).starts_with("Storm number 0"));
    let paged = env.path("paged.txt");
    let pager = format!("cat > '{}'", paged.display());
    let Some(_) = env.in_terminal(
        80,
        &[("PAGER", &pager)],
        &["show", &target, "--index", "idx", "--color", "never"],
    ) else {
        return;
    };
    let got = fs::read_to_string(&paged).expect("the pager ran");
    assert!(got.starts_with("Storm number 0 hits the coast\n"), "{got}");
    fs::remove_file(&paged).unwrap();
    let out = env
        .in_terminal(
            80,
            &[("PAGER", &pager)],
            &[
                "show",
                &target,
                "--index",
                "idx",
                "--no-pager",
                "--color",
                "never",
            ],
        )
        .unwrap();
    assert!(!Path::new(&paged).exists(), "--no-pager");
    assert!(out.contains("Storm number 0 hits the coast"), "{out}");
}
