//! Queries in people's own words, end to end with the real binary: the matching strategy
//! and its fallback, stop words, `word~N`, "did you mean", and the everyday habits
//! (`-word` without quoting, pasted headlines, curly quotes, lowercase `or`, `AND NOT`,
//! `field:*`, deep nesting, a `--source` that names nothing).
//!
//! The archive is written by the test: 12 articles about climate policy in `cnn-news/`,
//! 3 about a budget vote in `the-hill/`, one about trump and biden and one about trump
//! alone in `reuters/`; a few words (`glacier`, `senate`) are in few of them.

use std::fs;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_newsfind");

struct Archive {
    dir: tempfile::TempDir,
}

impl Archive {
    fn new() -> Archive {
        let dir = tempfile::tempdir().unwrap();
        let write = |source: &str, n: usize, title: &str, body: &str| {
            let folder = dir.path().join("archive").join(source);
            fs::create_dir_all(&folder).unwrap();
            let text = format!(" date 2025-01-{:02} {title}\n\n{body}\n", n % 28 + 1);
            fs::write(folder.join(format!("{n:03}.txt")), text).unwrap();
        };
        for n in 0..12 {
            let extra = if n < 2 { " A glacier melts." } else { "" };
            write(
                "cnn-news",
                n,
                &format!("Climate policy report {n}"),
                &format!("The climate change policy of the government was debated.{extra} To be or not to be, said one."),
            );
        }
        for n in 12..15 {
            write(
                "the-hill",
                n,
                &format!("Budget vote {n}"),
                "The senate budget vote was delayed again. Remain or leave, brexit was not discussed.",
            );
        }
        write(
            "reuters",
            15,
            "Trump and Biden debate",
            "Trump met Biden on stage.",
        );
        write("reuters", 16, "Trump rally", "Trump spoke to a crowd.");
        let archive = Archive { dir };
        let out = archive.run(&["index", "archive", "--index", "idx", "-q"]);
        assert!(out.status.code().unwrap() <= 2, "index failed");
        archive
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .env("NEWSFIND_TODAY", "2025-02-06")
            .env_remove("NEWSFIND_INDEX")
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    }

    /// `newsfind search ARGS --index idx`: (exit code, stdout, stderr).
    fn search(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--index", "idx"]);
        let out = self.run(&all);
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        // --copies: the generated articles share their text, so they are copies of one
        // story, which a search would otherwise show once.
        all.extend_from_slice(&["-f", "json", "-n", "100", "--copies"]);
        let (code, out, err) = self.search(&all);
        assert!(code <= 1, "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    }

    fn titles(&self, args: &[&str]) -> Vec<String> {
        self.json(args)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect()
    }
}

fn marked(hit: &Value, field: &str, ranges: &str) -> Vec<String> {
    let text = hit[field].as_str().unwrap();
    hit[ranges]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].to_lowercase()
        })
        .collect()
}

#[test]
fn every_word_while_enough_documents_hold_them_then_most() {
    let a = Archive::new();
    // 12 documents hold every word: the strategy is all, as before.
    let v = a.json(&["climate", "policy"]);
    assert_eq!(v["strategy"], "all");
    assert_eq!(v["total"], 12);
    assert_eq!(v["matching"]["fell_back"], false);
    // Only 2 hold "glacier" too: the hits hold most of the words, and say so.
    let v = a.json(&["climate", "policy", "glacier"]);
    assert_eq!(v["strategy"], "most");
    assert_eq!(v["matching"]["words"], 3);
    assert_eq!(v["matching"]["fell_back"], true);
    assert_eq!(v["matching"]["with_all"], 2);
    assert_eq!(v["total"], v["hits"].as_array().unwrap().len());
    // Those with every word come first.
    let first: Vec<&str> = v["hits"].as_array().unwrap()[..2]
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert!(
        first
            .iter()
            .all(|p| p.ends_with("000.txt") || p.ends_with("001.txt")),
        "{first:?}"
    );
    let (code, out, _) = a.search(&["climate", "policy", "glacier"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("only 2 documents have all 3 words; showing those with"),
        "{out}"
    );
    // Forced.
    let v = a.json(&["climate", "policy", "glacier", "--match", "all"]);
    assert_eq!(
        (v["strategy"].as_str(), v["total"].as_u64()),
        (Some("all"), Some(2))
    );
    let v = a.json(&["glacier", "senate", "--match", "any"]);
    assert_eq!(
        (v["strategy"].as_str(), v["total"].as_u64()),
        (Some("any"), Some(5))
    );
}

#[test]
fn stop_words_in_and_out_of_quotes() {
    let a = Archive::new();
    // "what", "is", "the" neither block nor count.
    let v = a.json(&["what is the climate policy"]);
    assert_eq!(
        (v["strategy"].as_str(), v["total"].as_u64()),
        (Some("all"), Some(12))
    );
    assert_eq!(v["matching"]["words"], 2);
    // Inside quotes they count.
    assert_eq!(a.json(&["\"to be or not to be\""])["total"], 12);
    assert_eq!(a.json(&["\"to be or not to go\""])["total"], 0);
}

#[test]
fn fuzzy_words_match_and_are_highlighted() {
    let a = Archive::new();
    let v = a.json(&["glaicer~1"]);
    assert_eq!(v["total"], 2);
    assert_eq!(marked(&v["hits"][0], "snippet", "highlights"), ["glacier"]);
    // Not a phrase "glaicer 1" any more, and no match without the tilde.
    assert_eq!(a.json(&["glaicer"])["total"], 0);
}

#[test]
fn did_you_mean() {
    let a = Archive::new();
    let (code, out, _) = a.search(&["climte", "polcy"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("did you mean: climate policy? 12 matches"),
        "{out}"
    );
    let v = a.json(&["climte", "polcy"]);
    assert_eq!(v["suggestion"]["query"], "climate policy");
    assert_eq!(v["suggestion"]["total"], 12);
    // The fallback finds the documents with "policy", and the typo is still corrected.
    let v = a.json(&["climte", "policy"]);
    assert_eq!(
        (v["strategy"].as_str(), v["total"].as_u64()),
        (Some("most"), Some(12))
    );
    assert_eq!(v["suggestion"]["query"], "climate policy");
    // Enough matches: no suggestion.
    assert_eq!(a.json(&["climate"])["suggestion"], Value::Null);
}

#[test]
fn leading_minus_word_and_options_after_the_words() {
    let a = Archive::new();
    assert_eq!(a.titles(&["trump", "-biden"]), ["Trump rally"]);
    assert_eq!(a.titles(&["-biden", "trump"]), ["Trump rally"]);
    // `--` is not needed, and options after it are still options.
    let (code, out, err) = a.search(&["--", "trump", "-biden", "-n", "1", "-f", "paths"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    // A mistyped long option is still an error, not a query word.
    let (code, _, err) = a.search(&["trump", "--bogus"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn everyday_query_habits() {
    let a = Archive::new();
    // A pasted headline with a colon: the unknown field is a word.
    let (code, _, err) = a.search(&["Trump: Biden debate"]);
    assert_eq!(code, 0, "{err}");
    // Curly quotes make a phrase.
    assert_eq!(a.json(&["\u{201c}budget vote\u{201d}"])["total"], 3);
    assert_eq!(a.json(&["\u{201c}vote budget\u{201d}"])["total"], 0);
    // Lowercase `or` between two words means either.
    let v = a.json(&["glacier or senate"]);
    assert_eq!(v["total"], 5);
    // `AND NOT` is `-`.
    assert_eq!(a.titles(&["trump AND NOT biden"]), ["Trump rally"]);
    // `field:*`: every document with a title, or a source.
    assert_eq!(a.json(&["title:*"])["total"], 17);
    assert_eq!(a.json(&["source:*"])["total"], 17);
}

#[test]
fn deep_nesting_is_a_clear_error() {
    let a = Archive::new();
    let deep = format!("{}x{}", "(a OR ".repeat(1000), ")".repeat(1000));
    let (code, out, err) = a.search(&[&deep]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("parentheses nest 1000 deep"), "{err}");
    let (code, _, err) = a.search(&[&"(".repeat(20_000)]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn an_unknown_source_names_the_closest() {
    let a = Archive::new();
    let (code, _, err) = a.search(&["climate", "--source", "CNN"]);
    assert_eq!(code, 1);
    assert!(err.contains("closest: cnn-news"), "{err}");
}
