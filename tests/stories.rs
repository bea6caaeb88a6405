//! Stories end to end: copies of one article found at ingest, collapsed in searches,
//! listed by `show`, kept up to date when files come, change and go, not made of shared
//! boilerplate; and `similar`. Archives are generated text (made-up words), written into
//! temp dirs and indexed with the real binary.

mod common;

use std::fs;
use std::path::Path;

use common::TestEnv;
use serde_json::Value;

const TODAY: &str = "2025-01-01";

/// Made-up words, a fixed pseudo-random run of them per seed.
fn words(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = x % 20_000;
            // Letters only, so that the tokenizer keeps each as one word.
            let mut w = String::from("q");
            let mut k = k + 1;
            while k > 0 {
                w.push((b'a' + (k % 26) as u8) as char);
                k /= 26;
            }
            w
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An article's paragraphs: `n` of 40 words from `seed`.
fn paragraphs(seed: u64, n: usize) -> Vec<String> {
    (0..n).map(|i| words(seed * 1000 + i as u64, 40)).collect()
}

fn file(date: &str, title: &str, paragraphs: &[String]) -> String {
    let mut text = format!(" date {date} {title}\n\n");
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text
}

/// A syndicated copy: a new first paragraph, the last two dropped.
fn syndicated(original: &[String], seed: u64) -> Vec<String> {
    let mut copy = vec![words(seed, 30)];
    copy.extend(original[1..original.len() - 2].iter().cloned());
    copy
}

/// This file's reading of the index, on the shared [`TestEnv`].
impl TestEnv {
    fn text(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend(["--color", "never"]);
        self.on_index(&all).out
    }

    /// Story id of every article, by path under `archive/` (from `search '*' --copies`).
    fn stories(&self) -> Vec<(String, String)> {
        let v = self.cli_json(&["search", "*", "--kind", "article", "--copies", "-n", "1000"]);
        let mut out = story_of_each(&v, &self.archive());
        out.sort();
        out
    }

    /// The story groups of a fresh index of the archive as it is now (made aside).
    fn fresh_partition(&self) -> Vec<Vec<String>> {
        let fresh = self.path("fresh-index");
        let _ = fs::remove_dir_all(&fresh);
        let (archive, index) = (self.archive(), fresh.display().to_string());
        let run = self.run(&["index", archive.to_str().unwrap(), "--index", &index, "-q"]);
        assert_eq!(run.code, 0, "fresh index: {}", run.err);
        let v: Value = serde_json::from_str(
            &self
                .run(&[
                    "search", "--index", &index, "--format", "json", "*", "--kind", "article",
                    "--copies", "-n", "1000",
                ])
                .out,
        )
        .unwrap();
        fs::remove_dir_all(&fresh).unwrap();
        partition(&story_of_each(&v, &archive))
    }

    fn story_of(&self, rel: &str) -> String {
        self.stories()
            .into_iter()
            .find(|(p, _)| p == rel)
            .unwrap_or_else(|| panic!("{rel} not indexed"))
            .1
    }
}

/// The keyword every article of the tests carries, so that a search finds them all.
const KEY: &str = "zebrafish";

fn with_key(mut paras: Vec<String>) -> Vec<String> {
    paras[1] = format!("{} {KEY}", paras[1]);
    paras
}

#[test]
fn copies_collapse_into_their_best_hit() {
    let env = TestEnv::new().today(TODAY);
    let original = with_key(paragraphs(1, 8));
    env.write(
        "wire/001.txt",
        file("2024-05-01", "Dam plan approved", &original),
    );
    env.write(
        "outlet-a/002.txt",
        file(
            "2024-05-02",
            "Council backs the dam",
            &syndicated(&original, 91),
        ),
    );
    env.write(
        "outlet-b/003.txt",
        file(
            "2024-05-03",
            "Dam: what to know",
            &syndicated(&original, 92),
        ),
    );
    env.write(
        "outlet-c/004.txt",
        file(
            "2024-05-01",
            "Fishing season opens",
            &with_key(paragraphs(2, 8)),
        ),
    );
    env.index_ok(0);

    let v = env.cli_json(&["search", KEY]);
    assert_eq!(v["total"], 4);
    assert_eq!(v["stories"], 2);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{v:#}");
    let story = hits
        .iter()
        .find(|h| h["copy_count"] == 2)
        .expect("a hit with its copies");
    let copies = story["copies"].as_array().unwrap();
    let mut sources: Vec<&str> = copies
        .iter()
        .map(|c| c["source_slug"].as_str().unwrap())
        .collect();
    sources.push(story["source_slug"].as_str().unwrap());
    sources.sort();
    assert_eq!(sources, ["outlet-a", "outlet-b", "wire"]);
    assert!(copies
        .iter()
        .all(|c| c["id"].as_str().unwrap().starts_with('a')));
    let lone = hits.iter().find(|h| h["copy_count"] == 0).unwrap();
    assert_eq!(lone["source_slug"], "outlet-c");
    assert_ne!(lone["story"], story["story"]);

    let text = env.text(&["search", KEY]);
    assert!(text.starts_with("4 matches in 2 stories"), "{text}");
    assert!(text.contains("and 2 copies: "), "{text}");

    // --copies: every copy is a hit, all three with one story id.
    let v = env.cli_json(&["search", KEY, "--copies"]);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 4);
    let same = hits.iter().filter(|h| h["story"] == story["story"]).count();
    assert_eq!(same, 3);

    // show lists an article's copies.
    let shown = env.cli_json(&["show", copies[0]["id"].as_str().unwrap()]);
    assert_eq!(shown["story"], story["story"]);
    assert_eq!(shown["copy_count"], 2);
    let text = env.text(&["show", copies[0]["id"].as_str().unwrap()]);
    assert!(text.contains("Copies of this story (2"), "{text}");

    let stats = env.stats();
    assert_eq!(stats["stories"], 2);
    assert_eq!(stats["stories_with_copies"], 1);
    assert_eq!(stats["articles_with_copies"], 3);
}

#[test]
fn facets_count_articles_and_stories() {
    let env = TestEnv::new().today(TODAY);
    let original = with_key(paragraphs(3, 8));
    env.write(
        "wire/001.txt",
        file("2024-05-01", "Dam plan approved", &original),
    );
    // Two copies in one outlet, one of them in the next month.
    env.write(
        "outlet-a/002.txt",
        file(
            "2024-05-02",
            "Council backs the dam",
            &syndicated(&original, 93),
        ),
    );
    env.write(
        "outlet-a/003.txt",
        file("2024-06-01", "Dam: a month on", &syndicated(&original, 94)),
    );
    env.write(
        "outlet-a/004.txt",
        file(
            "2024-05-03",
            "Fishing season opens",
            &with_key(paragraphs(4, 8)),
        ),
    );
    env.index_ok(0);

    let v = env.cli_json(&["search", KEY, "--facets"]);
    assert_eq!(
        (v["total"].as_u64(), v["stories"].as_u64()),
        (Some(4), Some(2))
    );
    let f = &v["facets"];
    let source = |slug: &str| {
        let s = f["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slug"] == slug)
            .unwrap_or_else(|| panic!("no {slug} in {f:#}"));
        (s["count"].as_u64().unwrap(), s["stories"].as_u64().unwrap())
    };
    // outlet-a: three articles, two of them copies of one story.
    assert_eq!(source("outlet-a"), (3, 2), "{f:#}");
    assert_eq!(source("wire"), (1, 1), "{f:#}");
    let months: Vec<(String, u64, u64)> = f["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["count"].as_u64().unwrap(),
                m["stories"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        // A story counts in the month of its first article.
        [("2024-05".to_string(), 3, 2), ("2024-06".to_string(), 1, 0)],
        "{f:#}"
    );
    assert_eq!(f["undated_stories"], 0);

    let text = env.text(&["search", KEY, "--facets", "-n", "0"]);
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line in {text}"))
            .to_string()
    };
    assert!(line("outlet-a").ends_with(" 3 in 2 stories"), "{text}");
    assert!(line("wire").ends_with(" 1"), "{text}");
    assert!(line("2024-05").ends_with(" 3 in 2 stories"), "{text}");
    // --copies lists every copy; the facets count the same.
    let v = env.cli_json(&["search", KEY, "--facets", "--copies"]);
    assert_eq!(v["facets"], f.clone());
}

#[test]
fn new_files_join_stories_and_changed_or_removed_ones_leave() {
    let env = TestEnv::new().today(TODAY);
    let original = paragraphs(3, 8);
    env.write(
        "wire/001.txt",
        file("2024-05-01", "Bridge closes", &original),
    );
    env.write(
        "other/009.txt",
        file("2024-05-01", "Unrelated", &paragraphs(4, 8)),
    );
    env.index_ok(0);
    let alone = env.story_of("wire/001.txt");
    assert_eq!(env.stats()["stories_with_copies"], 0);

    // A copy arrives: it joins the original, under the original's story id.
    env.write(
        "outlet-a/002.txt",
        file("2024-05-02", "Bridge shut", &syndicated(&original, 93)),
    );
    env.index_ok(0);
    let story = env.story_of("wire/001.txt");
    assert_eq!(story, alone, "the first article's story keeps its id");
    assert_eq!(env.story_of("outlet-a/002.txt"), story);
    assert_eq!(env.stats()["stories_with_copies"], 1);

    // A second copy joins the same story.
    env.write(
        "outlet-b/003.txt",
        file("2024-05-02", "Bridge: latest", &syndicated(&original, 94)),
    );
    env.index_ok(0);
    assert_eq!(env.story_of("outlet-b/003.txt"), story);
    assert_eq!(env.stats()["articles_with_copies"], 3);

    // One copy is rewritten into another story: it leaves; the others stay together.
    env.write(
        "outlet-a/002.txt",
        file("2024-05-02", "Other news", &paragraphs(5, 8)),
    );
    env.index_ok(0);
    assert_ne!(env.story_of("outlet-a/002.txt"), story);
    assert_eq!(env.story_of("outlet-b/003.txt"), story);
    assert_eq!(env.story_of("wire/001.txt"), story);
    assert_eq!(env.stats()["articles_with_copies"], 2);

    // The other copy goes away: the original is a story of its own again.
    env.remove("outlet-b/003.txt");
    env.index_ok(0);
    assert_eq!(env.stats()["stories_with_copies"], 0);
    let v = env.cli_json(&["show", "archive/wire/001.txt"]);
    assert_eq!(v["copy_count"], 0);

    // The incremental result is the one a fresh index gives.
    let incremental = partition(&env.stories());
    let out = env.index(&["-q", "--rebuild"]);
    assert_eq!(out.code, 0);
    assert_eq!(partition(&env.stories()), incremental);
}

/// An outlet that prints one story of short paragraphs several times (updates, other
/// editions): each of its paragraphs is short enough to be boilerplate, and is not
/// (4 articles of the source carry it; the rule wants 5). The documents that incremental
/// runs leave deleted in the index (the old version of a changed file, the old copy of
/// an article rewritten when its story changed) must not count toward those 5, or the
/// copies would lose their text to the rule one by one and leave the story.
#[test]
fn deleted_documents_do_not_count_toward_boilerplate() {
    let env = TestEnv::new().today(TODAY);
    let short: Vec<String> = (0..5).map(|i| words(4_000 + i, 20)).collect();
    let edition = |n: u64| file("2024-05-01", &format!("Storm update {n}"), &short);
    let check = |step: &str| {
        let incremental = partition(&env.stories());
        assert_eq!(incremental, env.fresh_partition(), "after {step}");
    };
    // Three editions: one story (the first is written again when the others join it).
    for n in 1..=3 {
        env.write(format!("daily/{n}.txt"), edition(n));
    }
    env.write(
        "other/1.txt",
        file("2024-05-01", "Other", &paragraphs(7, 6)),
    );
    env.index_ok(0);
    check("the first run");
    // A fourth edition comes.
    env.write("daily/4.txt", edition(4));
    env.index_ok(0);
    check("adding a fourth edition");
    // One edition changes (its title) and the unrelated article goes, in one run.
    env.write("daily/2.txt", edition(20));
    env.remove("other/1.txt");
    env.index_ok(0);
    check("changing an edition");
    // One goes, another comes back in its place.
    env.remove("daily/3.txt");
    env.index_ok(0);
    check("removing an edition");
    env.write("daily/3.txt", edition(30));
    env.index_ok(0);
    check("adding it again");
    // In one run: one edition goes, one changes, and a new one comes before it (in the
    // order of the run), while the changed file's old version is still in the index.
    env.remove("daily/4.txt");
    env.write("daily/2.txt", edition(21));
    env.write("daily/0.txt", edition(0));
    env.index_ok(0);
    check("removing, changing and adding editions in one run");
    assert_eq!(
        partition(&env.stories()),
        vec![vec![
            "daily/0.txt".to_string(),
            "daily/1.txt".to_string(),
            "daily/2.txt".to_string(),
            "daily/3.txt".to_string(),
        ]]
    );
}

/// What the live count cannot give: a paragraph that becomes boilerplate (its 5th
/// article of the source arrives) leaves the signatures of the articles placed before
/// unchanged, so they stay one story, while a fresh build takes it for boilerplate in all
/// five. A fresh build has the same order dependence across its batches of 512 files
/// (the first articles of a source are placed before its later ones are counted).
#[test]
#[ignore = "known limitation: signatures are not recomputed when a paragraph's count crosses \
            the boilerplate threshold after the articles carrying it were placed"]
fn a_paragraph_that_becomes_boilerplate_changes_earlier_articles_too() {
    let env = TestEnv::new().today(TODAY);
    let short: Vec<String> = (0..5).map(|i| words(5_000 + i, 20)).collect();
    let edition = |n: u64| file("2024-05-01", &format!("Flood update {n}"), &short);
    for n in 1..=4 {
        env.write(format!("daily/{n}.txt"), edition(n));
    }
    env.index_ok(0);
    assert_eq!(env.stats()["stories_with_copies"], 1);
    env.write("daily/5.txt", edition(5));
    env.index_ok(0);
    assert_eq!(partition(&env.stories()), env.fresh_partition());
}

/// The other order dependence: whether two articles are copies "beyond one paragraph"
/// is judged with the paragraphs of the article placed later (the committed one's are not
/// kept), and the answer can differ with the direction. Here a long first paragraph holds
/// most of what a cut copy shares with its original: placed after the copy, the original
/// is not one of its copies (the rest of it shares too little with the cut copy); placed
/// before it, the cut copy is. The real 37.5k archive has one such pair (a truncated
/// copy of an opinion piece).
#[test]
#[ignore = "known limitation: the copy check is not symmetric (it uses the paragraphs of the \
            article placed later), so the order articles arrive in can decide a pair"]
fn a_pair_is_judged_the_same_whichever_comes_first() {
    let env = TestEnv::new().today(TODAY);
    let mut original = vec![words(6_000, 150)];
    original.extend((1..8).map(|i| words(6_000 + i, 40)));
    // Sorted first, so a fresh build places the cut copy before the original.
    let cut = file("2024-05-02", "Cut short", &original[..3]);
    env.write("zz-original/1.txt", file("2024-05-01", "Whole", &original));
    env.index_ok(0);
    env.write("aa-copy/1.txt", cut);
    env.index_ok(0);
    assert_eq!(partition(&env.stories()), env.fresh_partition());
}

/// Snippets leave out a source's boilerplate as the ingest counts it: a deleted document
/// (the old version of a changed file) does not count there either, or a paragraph four
/// articles carry would be left out of their snippets until a merge.
#[test]
fn snippets_count_boilerplate_as_a_fresh_build_does() {
    let env = TestEnv::new().today(TODAY);
    let line = words(8_000, 12);
    let article = |n: u64, body: u64| {
        file(
            "2024-05-01",
            &format!("Notes {n}"),
            &[line.clone(), words(body, 60)],
        )
    };
    for n in 1..=4 {
        env.write(format!("weekly/{n}.txt"), article(n, 8_100 + n));
    }
    env.index_ok(0);
    env.write("weekly/2.txt", article(2, 8_200));
    env.index_ok(0);
    let snippets = |index: &Path| -> Vec<(String, String)> {
        let run = env.run(&[
            "search",
            "--index",
            index.to_str().unwrap(),
            "--format",
            "json",
            "*",
            "--kind",
            "article",
        ]);
        let v: Value = serde_json::from_str(&run.out).unwrap();
        let mut out: Vec<(String, String)> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let path = h["path"].as_str().unwrap();
                (path.to_string(), h["snippet"].as_str().unwrap().to_string())
            })
            .collect();
        out.sort();
        out
    };
    let incremental = snippets(&env.index_dir());
    let first = line.split(' ').next().unwrap();
    assert!(
        incremental.iter().all(|(_, s)| s.starts_with(first)),
        "a line four articles carry is not boilerplate: {incremental:?}"
    );
    let fresh = env.path("fresh-index");
    let run = env.run(&[
        "index",
        env.archive().to_str().unwrap(),
        "--index",
        fresh.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(incremental, snippets(&fresh));
}

/// (path under `archive`, story id) of every hit of a `search --format json` answer.
fn story_of_each(v: &Value, archive: &Path) -> Vec<(String, String)> {
    let root = fs::canonicalize(archive).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let path = Path::new(h["path"].as_str().unwrap());
            let rel = path.strip_prefix(&root).unwrap().display().to_string();
            (rel, h["story"].as_str().unwrap().to_string())
        })
        .collect()
}

/// Groups of paths with one story, whatever the ids.
fn partition(stories: &[(String, String)]) -> Vec<Vec<String>> {
    let mut groups: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (path, story) in stories {
        groups.entry(story).or_default().push(path.clone());
    }
    let mut out: Vec<Vec<String>> = groups.into_values().collect();
    out.sort();
    out
}

#[test]
fn a_story_splits_when_the_article_holding_it_together_leaves() {
    let env = TestEnv::new().today(TODAY);
    // b is a copy of the first half of a; c of the second half: a holds them together.
    let a = paragraphs(6, 12);
    env.write("s1/a.txt", file("2024-05-01", "Whole", &a));
    env.write("s2/b.txt", file("2024-05-01", "First half", &a[..6]));
    env.write("s3/c.txt", file("2024-05-01", "Second half", &a[6..]));
    env.index_ok(0);
    let story = env.story_of("s1/a.txt");
    assert_eq!(env.story_of("s2/b.txt"), story);
    assert_eq!(env.story_of("s3/c.txt"), story);
    env.remove("s1/a.txt");
    env.index_ok(0);
    assert_ne!(env.story_of("s2/b.txt"), env.story_of("s3/c.txt"));
    assert_eq!(env.stats()["stories_with_copies"], 0);
}

#[test]
fn shared_boilerplate_does_not_make_a_story() {
    let env = TestEnv::new().today(TODAY);
    let pitch = "Sign up for the Morning Briefing newsletter and get our best stories every day in your inbox, free.";
    let copyright =
        "Copyright 2024 The Daily Example. All rights reserved. Click here for reprint permission.";
    // A gallery printed under every article, a little different each time (so that no
    // paragraph repeats exactly), far longer than the articles themselves.
    let gallery = words(777, 400);
    for i in 0..8u64 {
        let mut paras = paragraphs(100 + i, 2);
        let cut: Vec<&str> = gallery.split(' ').skip(i as usize * 3).collect();
        paras.push(format!("Photos: the week in pictures {}", cut.join(" ")));
        paras.push(pitch.to_string());
        paras.push(copyright.to_string());
        env.write(
            format!("daily-example/{i:03}.txt"),
            file("2024-05-01", &format!("Story {i}"), &paras),
        );
    }
    env.index_ok(0);
    assert_eq!(env.stats()["stories_with_copies"], 0, "{:?}", env.stories());

    // A real copy among them still joins its original, boilerplate and all.
    let original = paragraphs(100, 2);
    let mut copy = original.clone();
    copy.insert(0, words(555, 20));
    copy.extend(paragraphs(100, 4)[2..].iter().cloned());
    env.write(
        "daily-example/100.txt",
        file("2024-05-02", "Long version", &paragraphs(100, 4)),
    );
    env.write(
        "wire/101.txt",
        file("2024-05-02", "Copy of the long version", &copy),
    );
    env.index_ok(0);
    assert_eq!(
        env.story_of("daily-example/100.txt"),
        env.story_of("wire/101.txt")
    );
}

#[test]
fn snippets_leave_out_boilerplate() {
    let env = TestEnv::new().today(TODAY);
    let pitch = "This article appears in the Morning Briefing newsletter: sign up free.";
    for i in 0..6u64 {
        let mut paras = vec![pitch.to_string()];
        paras.extend(paragraphs(200 + i, 3));
        if i == 0 {
            paras[2] = format!("{} briefing", paras[2]);
        }
        env.write(
            format!("daily-example/{i:03}.txt"),
            file("2024-05-01", &format!("Story {i}"), &paras),
        );
    }
    // Another outlet prints the same words once: not its boilerplate.
    env.write(
        "other/001.txt",
        file(
            "2024-05-01",
            "Elsewhere",
            &[pitch.to_string(), words(300, 40)],
        ),
    );
    env.index_ok(0);
    let v = env.cli_json(&["search", "briefing", "-n", "10"]);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 7, "{v:#}");
    for h in hits {
        let snippet = h["snippet"].as_str().unwrap();
        if h["source_slug"] == "other" {
            assert!(snippet.contains("Morning Briefing"), "{h:#}");
            continue;
        }
        assert!(!snippet.contains("Morning Briefing"), "{h:#}");
        if h["title"] == "Story 0" {
            // The match in the article's own text.
            assert!(snippet.contains(" briefing "), "{h:#}");
        } else {
            // No match left: the start of the article's own text.
            assert_eq!(h["snippet_from"], "lead", "{h:#}");
            let i: u64 = h["title"].as_str().unwrap()["Story ".len()..]
                .parse()
                .unwrap();
            assert!(snippet.starts_with(&words((200 + i) * 1000, 3)), "{h:#}");
        }
    }
}

#[test]
fn similar_finds_related_coverage_but_not_own_copies() {
    let env = TestEnv::new().today(TODAY);
    let topic = "zebrafish hatchery pollution riverbank";
    let mut original = paragraphs(7, 8);
    for p in original.iter_mut().take(4) {
        p.push_str(&format!(" {topic}"));
    }
    env.write(
        "wire/001.txt",
        file("2024-05-01", "Hatchery pollution found", &original),
    );
    env.write(
        "outlet-a/002.txt",
        file(
            "2024-05-02",
            "Pollution at hatchery",
            &syndicated(&original, 95),
        ),
    );
    // Other coverage of the subject: the same words for it, other sentences.
    let mut related = paragraphs(8, 6);
    for p in related.iter_mut().take(3) {
        p.push_str(&format!(" {topic}"));
    }
    env.write(
        "outlet-b/003.txt",
        file("2024-05-06", "Hatchery to close", &related),
    );
    env.write(
        "outlet-c/004.txt",
        file("2024-05-01", "Unrelated", &paragraphs(9, 6)),
    );
    env.index_ok(0);

    let v = env.cli_json(&["similar", "archive/wire/001.txt"]);
    let hits: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source_slug"].as_str().unwrap())
        .collect();
    assert_eq!(hits.first(), Some(&"outlet-b"), "{v:#}");
    assert!(
        !hits.contains(&"wire") && !hits.contains(&"outlet-a"),
        "{hits:?}"
    );
    assert_eq!(v["of"]["source_slug"], "wire");
    assert_eq!(v["of_copies"][0]["source_slug"], "outlet-a");

    // Filters apply: another source only, or dates before the related article.
    let v = env.cli_json(&["similar", "archive/wire/001.txt", "--source", "outlet-c"]);
    assert!(v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source_slug"] == "outlet-c"));
    let v = env.cli_json(&["similar", "archive/wire/001.txt", "--until", "2024-05-05"]);
    assert!(v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source_slug"] != "outlet-b"));

    let text = env.text(&["similar", "archive/wire/001.txt"]);
    assert!(text.starts_with("Articles like\n"), "{text}");
    assert!(text.contains("its copy is left out: outlet-a"), "{text}");

    // like:ID in a query: the same related coverage, combined with other clauses and
    // the filters.
    let hit_sources = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["source_slug"].as_str().unwrap().to_string())
            .collect()
    };
    let similar = env.cli_json(&["similar", "archive/wire/001.txt"]);
    let id = similar["of"]["id"].as_str().unwrap().to_string();
    let like = format!("like:{id}");
    let v = env.cli_json(&["search", &like]);
    assert_eq!(hit_sources(&v), hit_sources(&similar), "{v:#}");
    let v = env.cli_json(&["search", "like:archive/wire/001.txt"]);
    assert_eq!(hit_sources(&v), hit_sources(&similar), "{v:#}");
    // A word only the related article has, left out: it goes.
    let only_related = words(8000, 1);
    let v = env.cli_json(&["search", &format!("{like} -{only_related}")]);
    let mut others = hit_sources(&similar);
    others.retain(|s| s != "outlet-b");
    assert_eq!(hit_sources(&v), others, "{v:#}");
    // ... and required: only it.
    let v = env.cli_json(&["search", &format!("{like} {only_related}")]);
    assert_eq!(hit_sources(&v), ["outlet-b"], "{v:#}");
    let v = env.cli_json(&["search", &like, "--source", "outlet-c"]);
    assert!(hit_sources(&v).iter().all(|s| s == "outlet-c"), "{v:#}");
    for (query, says) in [
        (format!("-{like}"), "not negated"),
        (format!("{like} OR hatchery"), "cannot be joined"),
        ("like:a0000000000000000".to_string(), "no article"),
    ] {
        let out = env.search(&["--", &query]);
        assert_eq!(out.code, 2, "{query}: {}", out.err);
        assert!(out.err.contains(says), "{query}: {}", out.err);
    }

    // Changed files leave deleted documents behind until a merge: their words' document
    // frequencies then exceed the live documents (tantivy's own more-like-this query
    // panicked on that).
    for round in 0..3 {
        for (rel, title, paras) in [
            ("wire/001.txt", "Hatchery pollution found", &original),
            ("outlet-b/003.txt", "Hatchery to close", &related),
        ] {
            let mut changed = paras.clone();
            changed.push(words(700 + round, 10));
            env.write(rel, file("2024-05-01", title, &changed));
        }
        env.index_ok(0);
    }
    let v = env.cli_json(&["similar", "archive/wire/001.txt"]);
    assert_eq!(v["hits"][0]["source_slug"], "outlet-b", "{v:#}");

    let out = env.on_index(&["similar", "a0000000000000000"]);
    assert_eq!(out.code, 2);
    assert!(out.err.contains("no article"));
}

#[test]
fn similar_needs_a_few_of_the_words_when_enough_articles_have_them() {
    let env = TestEnv::new().today(TODAY);
    // Twenty words of the subject, in the article and in twelve others' coverage.
    let topic = words(5000, 20);
    // Not in the leads, which would make them copies of one another.
    let mut original = paragraphs(11, 6);
    for p in original.iter_mut().skip(2) {
        p.push_str(&format!(" {topic}"));
    }
    env.write("wire/001.txt", file("2024-05-01", "Target", &original));
    for i in 0..12u64 {
        let mut related = paragraphs(100 + i, 4);
        related[3].push_str(&format!(" {topic}"));
        env.write(
            format!("outlet-{i}/r.txt"),
            file("2024-05-02", &format!("Coverage {i}"), &related),
        );
    }
    // Unrelated articles, so that the subject's words are not everywhere.
    for i in 0..30u64 {
        env.write(
            format!("filler/{i:03}.txt"),
            file("2024-04-01", "Filler", &paragraphs(300 + i, 4)),
        );
    }
    // One word of the subject among words no other article has (they start with `x`).
    let mut loner: Vec<String> = paragraphs(900, 4)
        .iter()
        .map(|p| p.replace('q', "x"))
        .collect();
    loner[3].push_str(&format!(" {}", topic.split(' ').next().unwrap()));
    env.write("loner/l.txt", file("2024-05-03", "Loner", &loner));
    env.index_ok(0);

    let v = env.cli_json(&["similar", "archive/wire/001.txt", "-n", "100"]);
    let hits: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source_slug"].as_str().unwrap())
        .collect();
    let coverage = hits.iter().filter(|s| s.starts_with("outlet-")).count();
    assert_eq!(coverage, 12, "{hits:?}");
    assert!(!hits.contains(&"loner"), "{hits:?}");
    // like:ID is the same query.
    let like = format!("like:{}", v["of"]["id"].as_str().unwrap());
    let s = env.cli_json(&["search", &like, "-n", "100"]);
    assert_eq!(s["total"], v["total"], "{s:#}");
    // Too few articles with a few of the words (here: from one source): any one will do.
    let v = env.cli_json(&["similar", "archive/wire/001.txt", "--source", "loner"]);
    assert_eq!(v["hits"][0]["source_slug"], "loner", "{v:#}");
}

/// The README's stories and `similar` examples run on `tests/fixtures/stories`: its two
/// rewritten copies of the wire story fold into one story, the follow-up on the same
/// subject stays a story of its own, and `similar` leaves the copies out.
#[test]
fn the_readme_fixture_folds_the_wire_copies_and_not_the_follow_up() {
    let env = TestEnv::new().today(TODAY);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stories/archive");
    common::copy_tree(&fixture, &env.archive());
    env.index_ok(0);

    let v = env.cli_json(&["search", "spillway"]);
    assert_eq!(
        (v["total"].as_u64(), v["stories"].as_u64()),
        (Some(4), Some(2))
    );
    let best = &v["hits"][0];
    let mut sources: Vec<&str> = best["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source_slug"].as_str().unwrap())
        .chain([best["source_slug"].as_str().unwrap()])
        .collect();
    sources.sort_unstable();
    assert_eq!(sources, ["associated-press", "river-times", "valley-post"]);
    assert_eq!(v["hits"][1]["copy_count"], 0);

    let wire = env.archive().join("associated-press/001_spillway.txt");
    let s = env.cli_json(&["similar", wire.to_str().unwrap()]);
    let related: Vec<&str> = s["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert!(
        related[0].ends_with("river-times/004_followup.txt"),
        "{related:?}"
    );
    assert!(
        !related.iter().any(|p| p.ends_with("_spillway.txt")),
        "{related:?}"
    );
}
