//! `newsfind search`, `show`, `stats` and `query-bench` end to end: the fixture archive in
//! tests/fixtures/search is copied into a temp dir, indexed with the real binary, and
//! searched with a fixed today (2025-02-06, a Thursday).
//!
//! The archive: reuters/001 (2025-02-03, "Elections in Ukraine postponed", teasers "Budget
//! talks stall" and "Budget deal reached overnight"), the-hill/002 (2024-11-20, "Budget
//! talks stall", teasers "Elections in Ukraine postponed" and "Polar bears drift south"),
//! the-hill/003 (undated), bbc-news/004 (2025-02-05, climate, teaser "Budget deal reached
//! overnight"), bbc-news/005 (2016-06-24, header source "BBC News").

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use common::{Run, TestEnv};

const TODAY: &str = "2025-02-06";

/// This file's environment and searches, on the shared [`TestEnv`].
impl TestEnv {
    /// The fixture archive in `archive/`, indexed into `idx/`.
    fn indexed() -> TestEnv {
        let env = TestEnv::new().today(TODAY).with_fixtures();
        env.index_ok(2);
        env
    }

    /// The paths of the hits, in order.
    fn paths(&self, args: &[&str]) -> Vec<String> {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--format", "paths"]);
        if !args.contains(&"-n") {
            all.extend_from_slice(&["-n", "100"]);
        }
        let Run { code, out, err } = self.search(&all);
        assert!(code <= 1, "{args:?}: {err}");
        out.lines().map(str::to_string).collect()
    }

    /// The JSON of a search.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--format", "json"]);
        let Run { code, out, err } = self.search(&all);
        assert!(code <= 1, "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    }

    /// `(kind, title)` of each hit.
    fn hits(&self, args: &[&str]) -> Vec<(String, String)> {
        let mut all = args.to_vec();
        all.extend_from_slice(&["-n", "100"]);
        self.json(&all)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["kind"].as_str().unwrap().to_string(),
                    h["title"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn titles(hits: &[(String, String)]) -> Vec<&str> {
    hits.iter().map(|(_, t)| t.as_str()).collect()
}

const ELECTIONS: &str = "archive/reuters/001_elections.txt";
const BUDGET: &str = "archive/the-hill/002_budget.txt";
const UNDATED: &str = "archive/the-hill/003_undated.txt";
const CLIMATE: &str = "archive/bbc-news/004_climate.txt";
const BREXIT: &str = "archive/bbc-news/005_old.txt";

#[test]
fn text_output() {
    let env = TestEnv::indexed();
    let Run { code, out, err } = env.search(&["ukraine", "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    // Ids hash the absolute path, which is the temp dir's.
    let id = env.json(&["ukraine"])["hits"][0]["id"].clone();
    let want = format!(
        "\
1 match

Elections in Ukraine postponed
  {} \u{b7} 2025-02-03 \u{b7} reuters \u{b7} article, teased in 1 file \u{b7} archive/reuters/001_elections.txt
  The elections were postponed again, officials in Kyiv said on Monday. The vote had been planned for the spring, but martial law makes it impossible to hold. Observers said the decision was expected.
",
        id.as_str().unwrap()
    );
    assert_eq!(out, want);
    assert_eq!(err, "");
}

#[test]
fn text_output_of_teasers_and_windows() {
    let env = TestEnv::indexed();
    let Run { code, out, .. } = env.search(&["deal", "--color", "never"]);
    assert_eq!(code, 0);
    let id = env.json(&["deal"])["hits"][0]["id"].clone();
    let want = format!(
        "\
1 match

Budget deal reached overnight
  {} \u{b7} 2025-02-03 \u{b7} reuters \u{b7} teaser seen in 2 files until 2025-02-05, first in archive/reuters/001_elections.txt
  Lawmakers reached a budget deal in a late session, ending weeks of wrangling over spending.
",
        id.as_str().unwrap()
    );
    assert_eq!(out, want);
    let out = env
        .search(&["budget", "--color", "never", "-n", "1", "--offset", "1"])
        .out;
    assert!(out.starts_with("4 matches, showing 2-2\n"), "{out}");
}

#[test]
fn colour() {
    let env = TestEnv::indexed();
    let always = env.search(&["kyiv", "--color", "always"]).out;
    // The matched word in red bold.
    assert!(always.contains("\x1b[31mKyiv\x1b[0m"), "{always:?}");
    // Not a terminal: no colour by default, none with never.
    let auto = env.search(&["kyiv"]).out;
    assert!(!auto.contains('\x1b'));
    let never = env.search(&["kyiv", "--color", "never"]).out;
    assert!(!never.contains('\x1b'));
    // NO_COLOR does not override an explicit --color always, and auto stays plain.
    let out = env
        .command(&["search", "kyiv", "--index", "idx"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\x1b'));
}

#[test]
fn json_output() {
    let env = TestEnv::indexed();
    let v = env.json(&["postponed"]);
    assert_eq!(v["total"], 1);
    assert!(v["facets"].is_null());
    let hit = &v["hits"][0];
    for key in [
        "id",
        "kind",
        "title",
        "date",
        "source",
        "path",
        "score",
        "snippet",
        "highlights",
    ] {
        assert!(hit.get(key).is_some(), "no {key} in {hit}");
    }
    assert_eq!(hit["kind"], "article");
    assert_eq!(hit["date"], "2025-02-03");
    assert_eq!(hit["source"], "reuters");
    assert_eq!(hit["seen_as_teaser"], 1);
    assert!(hit["id"].as_str().unwrap().starts_with('a'));
    assert!(Path::new(hit["path"].as_str().unwrap()).is_absolute());
    assert!(hit["path"].as_str().unwrap().ends_with(ELECTIONS));
    // Highlights are byte ranges of the matched words in the snippet.
    let snippet = hit["snippet"].as_str().unwrap();
    let marked: Vec<&str> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(marked, ["postponed"]);

    let v = env.json(&["deal", "--kind", "teaser"]);
    let teaser = &v["hits"][0];
    assert_eq!(teaser["kind"], "teaser");
    assert_eq!(teaser["seen_count"], 2);
    assert_eq!(teaser["last_seen"], "2025-02-05");
    assert_eq!(teaser["truncated"], false);
    assert!(teaser["id"].as_str().unwrap().starts_with('t'));
}

#[test]
fn jsonl_and_paths_output() {
    let env = TestEnv::indexed();
    let Run { code, out, .. } = env.search(&["budget", "--format", "jsonl"]);
    assert_eq!(code, 0);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(lines
        .iter()
        .all(|h| h["title"].is_string() && h.get("total").is_none()));
    assert_eq!(env.paths(&["budget", "-n", "2"]).len(), 2);
    assert_eq!(
        env.paths(&["budget", "--kind", "article"]),
        [BUDGET, UNDATED, CLIMATE]
    );
}

#[test]
fn exit_codes_and_errors() {
    let env = TestEnv::indexed();
    assert_eq!(env.search(&["ukraine"]).code, 0);
    let Run { code, out, err } = env.search(&["nothingmatchesthis"]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "0 matches\n", ""));
    let Run { code, out, .. } = env.search(&["nothingmatchesthis", "-f", "json"]);
    assert_eq!(code, 1);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["total"], 0);
    for (query, want) in [
        (
            "title:",
            "newsfind: invalid query \"title:\": expected word (at character 7)\n",
        ),
        ("\"unclosed", "newsfind: invalid query"),
        ("date:soon", "invalid date \"soon\""),
    ] {
        let Run { code, out, err } = env.search(&[query]);
        assert_eq!(code, 2, "{query}");
        assert_eq!(out, "");
        assert!(err.contains(want), "{query}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let Run { code, err, .. } = env.search(&["x", "--since", "someday"]);
    assert_eq!(code, 2);
    assert!(err.contains("--since \"someday\""), "{err}");
    let out = env.run(&["search", "x", "--index", "nowhere"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("no index at nowhere"));
}

#[test]
fn query_syntax() {
    let env = TestEnv::indexed();
    // Stemming: `election` finds `Elections` and `election year`.
    assert_eq!(
        titles(&env.hits(&["election", "--kind", "article"])),
        ["Elections in Ukraine postponed", "Budget talks stall"]
    );
    // All words required (by default while 10 documents hold them all; see tests/query.rs).
    assert_eq!(
        titles(&env.hits(&["budget", "congress", "--match", "all"])),
        ["Budget talks stall"]
    );
    let mut either = env.paths(&["kyiv OR paris", "--kind", "article"]);
    either.sort();
    assert_eq!(either, [CLIMATE, ELECTIONS]);
    assert_eq!(
        env.paths(&["budget -paris", "--kind", "article"]),
        [BUDGET, UNDATED]
    );
    assert_eq!(env.paths(&["\"climate change summit\""]), [CLIMATE]);
    assert!(env.paths(&["\"summit change climate\""]).is_empty());
    assert_eq!(
        env.paths(&["title:budget", "--kind", "article"]),
        [BUDGET, UNDATED]
    );
    assert_eq!(env.paths(&["body:paris"]), [CLIMATE]);
    assert_eq!(env.paths(&["byline:roe"]), [ELECTIONS]);
    assert_eq!(
        env.paths(&["source:reuters", "--kind", "article"]),
        [ELECTIONS]
    );
    assert_eq!(
        env.paths(&["source:\"bbc news\"", "--sort", "oldest"]),
        [BREXIT, CLIMATE]
    );
    assert_eq!(env.paths(&["refer*"]), [BREXIT]);
    assert_eq!(env.paths(&["ukr*", "--kind", "article"]), [ELECTIONS]);
    // An apostrophe in a word is not an unclosed quote: no match, no error.
    assert_eq!(env.search(&["kyiv's"]).code, 1);
    assert_eq!(env.search(&["'kyiv said'"]).code, 0);
    // A query split over several arguments is one query.
    assert_eq!(
        env.paths(&["budget", "congress"]),
        env.paths(&["budget congress"])
    );
}

#[test]
fn teasers_are_folded_into_their_article() {
    let env = TestEnv::indexed();
    // "Elections in Ukraine postponed" is an article and a teaser: listed once, as the article.
    assert_eq!(
        env.hits(&["postponed"]),
        [(
            "article".to_string(),
            "Elections in Ukraine postponed".to_string()
        )]
    );
    let teasers = env.hits(&["postponed", "--kind", "teaser"]);
    assert_eq!(
        teasers,
        [(
            "teaser".to_string(),
            "Elections in Ukraine postponed".to_string()
        )]
    );
    // A teaser for a story not in the archive is listed with --kind all.
    assert_eq!(
        env.hits(&["polar"]),
        [("teaser".to_string(), "Polar bears drift south".to_string())]
    );
    assert!(env.hits(&["polar", "--kind", "article"]).is_empty());
    // A phrase only in a file's teasers does not find that file's article.
    assert!(env
        .paths(&["\"polar bear migration\"", "--kind", "article"])
        .is_empty());
}

#[test]
fn date_filters() {
    let env = TestEnv::indexed();
    let dated = |args: &[&str]| {
        let mut all = vec!["*", "--kind", "article", "--sort", "oldest"];
        all.extend_from_slice(args);
        env.paths(&all)
    };
    assert_eq!(dated(&[]), [BREXIT, BUDGET, ELECTIONS, CLIMATE, UNDATED]);
    assert_eq!(dated(&["--since", "2024"]), [BUDGET, ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["--until", "2024-11"]), [BREXIT, BUDGET]);
    assert_eq!(
        dated(&["--since", "2020", "--until", "2025-02-03"]),
        [BUDGET, ELECTIONS]
    );
    assert_eq!(dated(&["--on", "2016"]), [BREXIT]);
    assert_eq!(dated(&["--on", "2025-02"]), [ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["--on", "2025-02-05"]), [CLIMATE]);
    // Relative to 2025-02-06.
    assert_eq!(dated(&["--on", "yesterday"]), [CLIMATE]);
    assert!(dated(&["--on", "today"]).is_empty());
    assert_eq!(dated(&["--since", "3d"]), [ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["--since", "2d"]), [CLIMATE]);
    assert_eq!(dated(&["--since", "1w"]), [ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["--since", "3m"]), [BUDGET, ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["--since", "1y", "--until", "2m"]), [BUDGET]);
    assert_eq!(dated(&["--on", "this week"]), [ELECTIONS, CLIMATE]);
    assert!(dated(&["--on", "last week"]).is_empty());
    assert_eq!(dated(&["--on", "last month"]), Vec::<String>::new());
    assert_eq!(dated(&["--on", "this year"]), [ELECTIONS, CLIMATE]);
    // notmuch-style, inside the query.
    assert_eq!(dated(&["date:2025-02"]), [ELECTIONS, CLIMATE]);
    assert_eq!(dated(&["date:2024-11..2025-02-03"]), [BUDGET, ELECTIONS]);
    assert_eq!(dated(&["date:2025-02-04.."]), [CLIMATE]);
    assert_eq!(dated(&["date:..2024"]), [BREXIT, BUDGET]);
    // (`-word` as an argument of its own would be an option: quote it with the rest.)
    assert_eq!(
        env.paths(&["* -date:2025", "--kind", "article", "--sort", "oldest"]),
        [BREXIT, BUDGET, UNDATED]
    );
    // --on conflicts with --since.
    let Run { code, err, .. } = env.search(&["x", "--on", "2025", "--since", "2024"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn source_filter() {
    let env = TestEnv::indexed();
    let articles = |args: &[&str]| {
        let mut all = vec!["*", "--kind", "article"];
        all.extend_from_slice(args);
        env.paths(&all)
    };
    assert_eq!(articles(&["--source", "reuters"]), [ELECTIONS]);
    assert_eq!(articles(&["--source", "REUTERS"]), [ELECTIONS]);
    // Display name or slug, the same source.
    assert_eq!(
        articles(&["--source", "BBC News"]),
        articles(&["-s", "bbc-news"])
    );
    assert_eq!(articles(&["--source", "bbc news"]).len(), 2);
    // Repeatable: either source.
    assert_eq!(
        articles(&["--source", "reuters", "--source", "the hill"]).len(),
        3
    );
    let Run { code, out, err } = env.search(&["*", "--source", "nobody"]);
    assert_eq!((code, out.as_str()), (1, "0 matches\n"));
    assert!(err.contains("no document from source \"nobody\""), "{err}");
}

#[test]
fn sorting_and_paging() {
    let env = TestEnv::indexed();
    let args = ["*", "--kind", "article"];
    let newest = env.paths(&[&args[..], &["--sort", "newest"]].concat());
    assert_eq!(newest, [CLIMATE, ELECTIONS, BUDGET, BREXIT, UNDATED]);
    let oldest = env.paths(&[&args[..], &["--sort", "oldest"]].concat());
    assert_eq!(oldest, [BREXIT, BUDGET, ELECTIONS, CLIMATE, UNDATED]);
    // `*` scores alike: relevance falls back to newest first, then the path.
    assert_eq!(env.paths(&args), newest);
    // Pages of the same order.
    let mut paged = Vec::new();
    for offset in ["0", "2", "4"] {
        paged.extend(
            env.paths(
                &[
                    &args[..],
                    &["-n", "2", "--offset", offset, "--sort", "oldest"],
                ]
                .concat(),
            )
            .into_iter()
            .take(2),
        );
    }
    assert_eq!(paged, oldest);
    assert_eq!(env.json(&["budget", "-n", "1"])["total"], 4);
    assert_eq!(
        env.json(&["budget", "-n", "1"])["hits"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(env.paths(&["budget", "--offset", "10"]).is_empty());
    // Relevance: the title weighs more than the body.
    assert_eq!(env.paths(&["budget", "--kind", "article"])[0], BUDGET);
}

#[test]
fn facets() {
    let env = TestEnv::indexed();
    let v = env.json(&["budget", "--facets", "-n", "1"]);
    let f = &v["facets"];
    let sources: Vec<(String, u64)> = f["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slug"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    // Counted over all 4 matches, not the 1 shown.
    assert_eq!(
        sources,
        [
            ("the-hill".to_string(), 2),
            ("bbc-news".to_string(), 1),
            ("reuters".to_string(), 1)
        ]
    );
    assert_eq!(
        f["months"],
        serde_json::json!([
            {"month": "2024-11", "count": 1, "stories": 1},
            {"month": "2024-12", "count": 0, "stories": 0},
            {"month": "2025-01", "count": 0, "stories": 0},
            {"month": "2025-02", "count": 2, "stories": 2}
        ])
    );
    assert_eq!(f["undated"], 1);

    let out = env
        .search(&["budget", "--facets", "--color", "never", "-n", "0"])
        .out;
    let want = "\
4 matches

By source
  the-hill  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588} 2
  BBC News  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}                1
  reuters   \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}                1
By month
  2024-11  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}                1
  2024-12                                 0
  2025-01                                 0
  2025-02  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588} 2
  undated  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}                1
";
    assert_eq!(out, want);
}

#[test]
fn show_a_document() {
    let env = TestEnv::indexed();
    let id = env.json(&["kyiv", "--kind", "article"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_path = env.on_index(&["show", ELECTIONS, "--color", "never"]);
    assert_eq!(by_path.code, 0, "{}", by_path.err);
    let text = by_path.out;
    let by_id = env.on_index(&["show", &id, "--color", "never"]);
    assert_eq!(by_id.out, text);
    for part in [
        "Elections in Ukraine postponed\n",
        "date      2025-02-03\n",
        "source    reuters\n",
        "byline    Jane Roe\n",
        "read      3 min\n",
        "path      archive/reuters/001_elections.txt\n",
        "  \u{2022} Voters queue outside a polling station in Kyiv \u{2014} AFP/Getty\n",
        "The elections were postponed again, officials in Kyiv said on Monday.\n\nThe vote had been planned",
        "Teasers in this file (2)\n  \u{2022} Budget talks stall\n",
        "wrangling over spend\u{2026}\n",
    ] {
        assert!(text.contains(part), "{part:?} not in:\n{text}");
    }
    let json = env.on_index(&["show", &id, "--format", "json"]);
    let v: Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["title"], "Elections in Ukraine postponed");
    assert_eq!(v["captions"][0]["credit"], "AFP/Getty");
    assert_eq!(v["teasers"].as_array().unwrap().len(), 2);
    assert_eq!(v["teasers"][1]["truncated"], true);
    // A teaser shows where it was seen, and the article it folds into.
    let teaser = env.json(&["postponed", "--kind", "teaser"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = env.on_index(&["show", &teaser, "--format", "json"]);
    let v: Value = serde_json::from_str(&out.out).unwrap();
    assert_eq!(v["kind"], "teaser");
    assert_eq!(v["article_id"], id.as_str());
    // Once the file is gone, its teasers cannot be shown, and that is said.
    fs::remove_file(env.path(ELECTIONS)).unwrap();
    let out = env.on_index(&["show", &id, "--format", "json"]);
    let v: Value = serde_json::from_str(&out.out).unwrap();
    assert!(v["teasers"].is_null());
    assert!(v["teasers_note"]
        .as_str()
        .unwrap()
        .contains("cannot be read"));
    // Not there: an error.
    let out = env.on_index(&["show", "a0000000000000000"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("no document"));
}

#[test]
fn stats() {
    let env = TestEnv::indexed();
    let v = env.stats();
    assert_eq!(v["articles"], 5);
    assert_eq!(v["undated_articles"], 1);
    // Teasers: budget talks, budget deal, elections, polar bears; two fold into articles.
    assert_eq!(v["teasers"], 4);
    assert_eq!(v["folded_teasers"], 2);
    assert_eq!(v["documents"], 9);
    assert_eq!(v["sources"], 3);
    assert_eq!(v["first_date"], "2016-06-24");
    assert_eq!(v["last_date"], "2025-02-05");
    assert_eq!(
        v["years"],
        serde_json::json!([{"year": 2016, "count": 1}, {"year": 2024, "count": 1}, {"year": 2025, "count": 2}])
    );
    assert!(v["size_bytes"].as_u64().unwrap() > 0);
    let text = env.on_index(&["stats"]).out;
    assert!(text.contains("articles  5 (1 undated)"), "{text}");
    assert!(text.contains("Articles by year"), "{text}");
}

#[test]
fn query_bench() {
    let env = TestEnv::indexed();
    fs::write(
        env.path("queries.txt"),
        "# a comment\n\nukraine\n\"climate change\" --since 2016 --source bbc-news\n'\"climate change\"'\nbudget --facets\n",
    )
    .unwrap();
    let out = env.on_index(&["query-bench", "queries.txt", "--rounds", "3"]);
    assert_eq!(out.code, 0, "{}", out.err);
    let v: Value = serde_json::from_str(&out.out).unwrap();
    assert_eq!(v["queries"], 4);
    assert_eq!(v["rounds"], 3);
    for key in ["p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms"] {
        assert!(v[key].as_f64().unwrap() >= 0.0, "{key}");
    }
    assert_eq!(v["by_kind"]["facets"]["queries"], 1);
    assert_eq!(v["by_kind"]["date"]["queries"], 1);
    assert_eq!(v["by_kind"]["phrase"]["queries"], 1);
    assert_eq!(v["by_kind"]["1-word"]["queries"], 1);
    // A line that is not a search is an error naming the line.
    fs::write(env.path("bad.txt"), "ukraine\nbudget --bogus\n").unwrap();
    let out = env.on_index(&["query-bench", "bad.txt"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("bad.txt:2:"));
}

#[test]
fn first_search_indexes_data() {
    let env = TestEnv::new().today(TODAY);
    env.copy_fixtures("data");
    let out = env.run(&["search", "ukraine", "--color", "never"]);
    let err = out.err;
    assert_eq!(out.code, 0, "{err}");
    assert!(
        err.starts_with("newsfind: no index at index/, indexing data/ first\n"),
        "{err}"
    );
    assert!(out.out.contains("data/reuters/001_elections.txt"));
    // The second time the index is there: nothing said.
    let out = env.run(&["search", "ukraine"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.err, "");
}

#[test]
fn closed_pipe_is_a_quiet_exit() {
    let env = TestEnv::indexed();
    let mut child = env
        .command(&[
            "search", "*", "--index", "idx", "-n", "100000", "--format", "jsonl",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
