//! Queries in people's own words, end to end with the real binary: the matching strategy
//! and its fallback, stop words, `word~N`, "did you mean", and the everyday habits
//! (`-word` without quoting, pasted headlines, curly quotes, lowercase `or`, `AND NOT`,
//! `field:*`, deep nesting, a `--source` that names nothing).
//!
//! The archive is written by the test: 12 articles about climate policy in `cnn-news/`,
//! 3 about a budget vote in `the-hill/`, one about trump and biden and one about trump
//! alone in `reuters/`; a few words (`glacier`, `senate`) are in few of them.

mod common;

use serde_json::Value;

use common::{Run, TestEnv};

/// This file's archive and searches, on the shared [`TestEnv`].
impl TestEnv {
    /// The archive described above, indexed.
    fn indexed() -> TestEnv {
        let env = TestEnv::new().today("2025-02-06");
        let write = |source: &str, n: usize, title: &str, body: &str| {
            let text = format!(" date 2025-01-{:02} {title}\n\n{body}\n", n % 28 + 1);
            env.write(format!("{source}/{n:03}.txt"), text);
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
        env.index_ok(2);
        env
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        // --copies: the generated articles share their text, so they are copies of one
        // story, which a search would otherwise show once.
        all.extend_from_slice(&["-f", "json", "-n", "100", "--copies"]);
        let Run { code, out, err } = self.search(&all);
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
    let a = TestEnv::indexed();
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
    let Run { code, out, .. } = a.search(&["climate", "policy", "glacier"]);
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
    let a = TestEnv::indexed();
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
    let a = TestEnv::indexed();
    let v = a.json(&["glaicer~1"]);
    assert_eq!(v["total"], 2);
    assert_eq!(marked(&v["hits"][0], "snippet", "highlights"), ["glacier"]);
    // Not a phrase "glaicer 1" any more, and no match without the tilde.
    assert_eq!(a.json(&["glaicer"])["total"], 0);
}

#[test]
fn did_you_mean() {
    let a = TestEnv::indexed();
    let Run { code, out, .. } = a.search(&["climte", "polcy"]);
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
    let a = TestEnv::indexed();
    assert_eq!(a.titles(&["trump", "-biden"]), ["Trump rally"]);
    assert_eq!(a.titles(&["-biden", "trump"]), ["Trump rally"]);
    // `--` is not needed, and options after it are still options.
    let Run { code, out, err } = a.search(&["--", "trump", "-biden", "-n", "1", "-f", "paths"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    // A mistyped long option is still an error, not a query word.
    let Run { code, err, .. } = a.search(&["trump", "--bogus"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn everyday_query_habits() {
    let a = TestEnv::indexed();
    // A pasted headline with a colon: the unknown field is a word.
    let Run { code, err, .. } = a.search(&["Trump: Biden debate"]);
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
    let a = TestEnv::indexed();
    let deep = format!("{}x{}", "(a OR ".repeat(1000), ")".repeat(1000));
    let Run { code, out, err } = a.search(&[&deep]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("parentheses nest 1000 deep"), "{err}");
    let Run { code, err, .. } = a.search(&[&"(".repeat(20_000)]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn an_unknown_source_names_the_closest() {
    let a = TestEnv::indexed();
    let Run { code, err, .. } = a.search(&["climate", "--source", "CNN"]);
    assert_eq!(code, 1);
    assert!(err.contains("closest: cnn-news"), "{err}");
}
