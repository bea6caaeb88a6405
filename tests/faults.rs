//! Fault injection: kills at chosen and at random moments (during commits and in the
//! first milliseconds), archive changes during a run, a full file system, damaged index
//! and state files, odd names and special files, and dates across the whole calendar.
//! Each test asserts that the index equals a fresh build of the same files (compared by
//! `export`) or that the command fails with a clear message, and that the next run
//! recovers. One test per defect of issue 7, named after it.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{article, ChildGuard, TestEnv};

/// An archive of `n` articles over a few folders, sharing teasers.
fn fill(env: &TestEnv, n: usize, tag: &str) {
    for i in 0..n {
        let teaser = format!("Teaser {}", i % 23);
        let summary = if i % 3 == 0 {
            format!("Summary of {} in full.", i % 23)
        } else {
            format!("Summary of {} cut mi", i % 23)
        };
        env.write(
            format!("s{}/{tag}{i:04}.txt", i % 5),
            article(
                &format!("20{:02}-0{}-1{}", 10 + i % 10, 1 + i % 9, i % 10),
                &format!("Title {tag} {i}"),
                &[
                    &format!("Body of {tag} {i} about things."),
                    "A second paragraph.",
                ],
                &[(&teaser, &summary), ("Always there", "Seen everywhere.")],
            ),
        );
    }
}

fn assert_equals_fresh(env: &TestEnv, what: &str) {
    let got = env.export();
    let want = env.fresh_export();
    if got.len() != want.len() {
        panic!(
            "{what}: document counts differ: {} in the index, {} in a fresh build\n\
             only in the index: {:#?}\nonly in the fresh build: {:#?}",
            got.len(),
            want.len(),
            surplus(&got, &want),
            surplus(&want, &got)
        );
    }
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{what}: the index differs from a fresh build");
    }
}

/// Every document of `a` whose id `a` holds more often than `b` does (all copies of it,
/// so that a second version of one file shows beside the first).
fn surplus(a: &[serde_json::Value], b: &[serde_json::Value]) -> Vec<String> {
    let count = |docs: &[serde_json::Value]| {
        let mut n: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for d in docs {
            *n.entry(d["id"].to_string()).or_default() += 1;
        }
        n
    };
    let (in_a, in_b) = (count(a), count(b));
    a.iter()
        .filter(|d| {
            let id = d["id"].to_string();
            in_a[&id] > in_b.get(&id).copied().unwrap_or(0)
        })
        .map(|d| d.to_string())
        .collect()
}

/// Segments that `meta.json` names.
fn segments(index: &Path) -> usize {
    let meta = fs::read_to_string(index.join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["segments"].as_array().unwrap().len()
}

/// Segment ids in the index folder that `meta.json` does not name: orphans.
fn orphans(index: &Path) -> Vec<String> {
    let meta = fs::read_to_string(index.join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let live: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let mut orphans: Vec<String> = fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.len() > 32 && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit))
        .filter(|name| !live.iter().any(|id| name.starts_with(id.as_str())))
        .collect();
    orphans.sort();
    orphans
}

/// Defect 1: a kill during a commit (once `*.del` files exist) broke every later run with
/// `FileAlreadyExists`, leaked orphan segments, and exited 2 like a skip.
#[test]
fn defect1_a_kill_during_a_commit_does_not_stop_later_runs() {
    for point in ["prepared", "state-pending", "committed"] {
        let env = TestEnv::new();
        fill(&env, 120, "a");
        assert_eq!(env.index(&["-q"]).code, 0);
        // An incremental run that deletes (so tantivy writes `.del` files) and adds 50.
        for i in 0..10 {
            fs::remove_file(env.archive().join(format!("s{}/a{i:04}.txt", i % 5))).unwrap();
        }
        for i in 10..20 {
            env.write(
                format!("s{}/a{i:04}.txt", i % 5),
                article("2021-01-01", &format!("Changed {i}"), &["New."], &[]),
            );
        }
        fill(&env, 50, "b");
        let status = env
            .command(&env.index_args(&["-q"]))
            .env("NEWSFIND_FAULT", point)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "the fault at {point} fired");
        // Searchable at its last commit.
        assert_eq!(env.on_index(&["stats"]).code, 0, "after a kill at {point}");
        for attempt in 0..2 {
            let run = env.index(&[]);
            assert_eq!(
                run.code, 0,
                "run {attempt} after a kill at {point}: {}",
                run.err
            );
        }
        assert_eq!(env.holds(), (160, 24), "after a kill at {point}");
        assert_equals_fresh(&env, point);
        assert_eq!(
            orphans(&env.index_dir()),
            Vec::<String>::new(),
            "after a kill at {point}"
        );
    }
}

/// Defect 1 as it was found: SIGKILL the moment a new `*.del` file appears during an
/// incremental run (every later run failed with `FileAlreadyExists`).
#[test]
fn defect1_a_kill_when_a_delete_file_appears() {
    kills_after_delete_files("at new delete files", |_| Duration::ZERO);
}

/// Defect 1, a little later: SIGKILL 0-30 ms after a new `*.del` file appears, so that
/// kills land across the rest of the commit, the state's confirmation and the merges
/// after it (a kill there left the next runs an old version of a changed file beside the
/// new one in about half of these runs, before the fix of the writer's first opstamp).
#[test]
fn defect1_kills_soon_after_a_delete_file_appears() {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    kills_after_delete_files("soon after new delete files", move |_| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        Duration::from_micros(rng % 30_000)
    });
}

/// Six incremental runs (50 new files, 10 changed each) over 600 indexed files, each
/// killed `delay(round)` after a new `*.del` file appears, then run again to the end: the
/// counts must be right after every round, and the index equal to a fresh build.
fn kills_after_delete_files(what: &str, mut delay: impl FnMut(usize) -> Duration) {
    let env = TestEnv::new();
    fill(&env, 600, "a");
    assert_eq!(env.index(&["-q"]).code, 0);
    let dels = |dir: &Path| -> Vec<std::ffi::OsString> {
        fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name())
                    .filter(|n| n.as_bytes().ends_with(b".del"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut kills = 0;
    for round in 0..6 {
        fill(&env, 50, &format!("n{round}"));
        for i in round * 10..round * 10 + 10 {
            env.write(
                format!("s{}/a{i:04}.txt", i % 5),
                article("2021-01-01", &format!("Changed {i}"), &["New."], &[]),
            );
        }
        let wait = delay(round);
        let before = dels(&env.index_dir());
        let mut child =
            ChildGuard::spawn(env.command(&env.index_args(&["-q"])).stderr(Stdio::null()));
        while child.try_wait().unwrap().is_none() {
            if dels(&env.index_dir()).iter().any(|d| !before.contains(d)) {
                std::thread::sleep(wait);
                child.kill().unwrap();
                kills += 1;
                break;
            }
        }
        child.wait().unwrap();
        let run = env.index(&[]);
        assert_eq!(run.code, 0, "{what}, round {round}: {}", run.err);
        assert_eq!(orphans(&env.index_dir()), Vec::<String>::new());
        // Each round adds 50 articles; the 24 teasers stay.
        assert_eq!(
            env.holds(),
            (650 + 50 * round as u64, 24),
            "{what}, round {round}, killed {wait:?} after a new delete file"
        );
    }
    assert_equals_fresh(&env, &format!("after kills {what}"));
    eprintln!("killed {kills} of 6 runs {what}");
}

/// Defect 1, the rare extra document (`defect1_a_kill_when_a_delete_file_appears` failed
/// once in CI with one document too many): a kill right after a commit cuts short the
/// merge that commit started, so the next run starts with enough committed segments to
/// merge before its own first commit. That merge lost the run's first operation, here the
/// delete of a changed file's old version, and the index held both versions of the file.
#[test]
fn defect1_a_kill_before_a_merge_ends_leaves_no_old_version() {
    let env = TestEnv::new();
    // One indexing thread: one segment per commit.
    let args = env.index_args(&["-q", "-j", "1"]);
    fill(&env, 40, "a");
    assert_eq!(env.run(&args).code, 0);
    // Six runs that add an article each: six small segments, seven in all.
    for i in 0..6 {
        env.write(
            format!("new/b{i}.txt"),
            article("2022-02-02", &format!("Added {i}"), &["Added."], &[]),
        );
        assert_eq!(env.run(&args).code, 0);
    }
    // The seventh deletes in the first segment and makes the eighth, and dies right after
    // its commit, before the merge of all eight ends (a run armed to die there starts no
    // merge, so that this does not hang on timing).
    env.write(
        "s1/a0001.txt",
        article("2021-01-01", "Changed 1", &["New."], &[]),
    );
    let status = env
        .command(&args)
        .env("NEWSFIND_FAULT", "committed")
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the fault at committed fired");
    assert_eq!(
        segments(&env.index_dir()),
        8,
        "the kill came before the merge of the eight segments ended"
    );
    // The next run's first operation deletes the old version of a file of the first
    // segment, and its new segment starts the merge of the eight committed ones.
    env.write(
        "s0/a0000.txt",
        article("2021-01-01", "Changed 0", &["New."], &[]),
    );
    let run = env.run(&args);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_equals_fresh(&env, "after a kill before a merge ended");
    assert_eq!(env.holds(), (46, 24));
}

/// Defect 1, at random moments: SIGKILL over many seeds, during a first run (from the
/// first milliseconds) and during incremental runs with the archive changing.
#[test]
fn defect1_kills_at_random_moments_over_many_seeds() {
    let env = TestEnv::new();
    fill(&env, 300, "a");
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |bound: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % bound
    };
    let started = Instant::now();
    for seed in 0..12 {
        if seed % 3 == 0 {
            let _ = fs::remove_dir_all(env.index_dir());
        }
        // The archive changes between (and so during) runs.
        let i = next(300);
        let victim = env.archive().join(format!("s{}/a{i:04}.txt", i % 5));
        match seed % 3 {
            0 => {
                let _ = fs::remove_file(&victim);
            }
            1 => {
                env.write(
                    format!("s{}/a{i:04}.txt", i % 5),
                    article(
                        "1901-02-03",
                        &format!("Rewritten {seed}"),
                        &["x."],
                        &[("Teaser 1", "Whole again.")],
                    ),
                );
            }
            _ => {
                env.write(
                    format!("new/n{seed}.txt"),
                    article(
                        "2001-01-01",
                        &format!("New {seed}"),
                        &["y."],
                        &[("Teaser 2", "Other.")],
                    ),
                );
            }
        }
        let mut child = ChildGuard::spawn(
            env.command(&env.index_args(&["-q", "--commit-every", "40"]))
                .stderr(Stdio::null()),
        );
        let delay = if seed % 4 == 0 { next(15) } else { next(1500) };
        std::thread::sleep(Duration::from_millis(delay));
        // Change the archive while the run reads it.
        env.write(
            format!("new/during{seed}.txt"),
            article("1999-12-31", &format!("During {seed}"), &["z."], &[]),
        );
        child.kill().unwrap();
        child.wait().unwrap();
        if env.index_dir().join("meta.json").exists() {
            let stats = env.on_index(&["stats"]);
            assert_eq!(
                stats.code, 0,
                "seed {seed}, kill at {delay} ms: {}",
                stats.err
            );
        }
        let run = env.index(&[]);
        assert_eq!(run.code, 0, "seed {seed}, kill at {delay} ms: {}", run.err);
        assert_equals_fresh(&env, &format!("seed {seed}, kill at {delay} ms"));
        assert_eq!(
            orphans(&env.index_dir()),
            Vec::<String>::new(),
            "seed {seed}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(600));
}

/// Defect 2: a kill in the first milliseconds left a folder (`.tmpXXXX` and the lock)
/// that `index`, even with `--rebuild`, refused as not newsfind's.
#[test]
fn defect2_a_folder_killed_in_its_first_milliseconds_is_recovered() {
    for rebuild in [false, true] {
        let env = TestEnv::new();
        fill(&env, 10, "a");
        fs::create_dir_all(env.index_dir()).unwrap();
        fs::write(env.index_dir().join("newsfind.lock"), "").unwrap();
        fs::write(env.index_dir().join(".tmpAbC123"), "{\"half").unwrap();
        let search = env.on_index(&["search", "title"]);
        assert_eq!(search.code, 2);
        assert!(search.err.contains("no index at"), "{}", search.err);
        let run = env.index(if rebuild { &["--rebuild"] } else { &[] });
        assert_eq!(run.code, 0, "rebuild {rebuild}: {}", run.err);
        assert_eq!(env.holds(), (10, 11));
        assert!(!env.index_dir().join(".tmpAbC123").exists());
    }
}

/// Defect 3: one file name that is not UTF-8 stopped all indexing.
#[test]
fn defect3_names_that_are_not_utf8_are_indexed() {
    let env = TestEnv::new();
    fill(&env, 3, "a");
    let odd = OsStr::from_bytes(b"caf\xe9-\xff.txt");
    env.write(
        Path::new("latin1").join(odd),
        article("2020-01-01", "Odd name story", &["Zanzibar body."], &[]),
    );
    let run = env.index(&[]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(env.holds().0, 4);
    let hit = env.on_index(&["search", "zanzibar", "-f", "jsonl"]);
    assert_eq!(hit.code, 0, "{}", hit.err);
    assert!(hit.out.contains("caf\u{fffd}-\u{fffd}.txt"), "{}", hit.out);
    let again = env.index(&[]);
    assert_eq!(again.code, 0, "{}", again.err);
    assert_eq!(env.holds().0, 4);
    fs::remove_file(env.archive().join("latin1").join(odd)).unwrap();
    assert_eq!(env.index(&[]).code, 0);
    assert_eq!(env.holds().0, 3);
    assert_equals_fresh(&env, "after removing the odd name");
}

/// Defect 4: a date before 1970 panicked the run; dates outside 1677..2262 wrapped.
/// Every date from 0001-01-01 to 9999-12-31 indexes, filters, facets, shows, counts and
/// exports as itself.
#[test]
fn defect4_dates_across_the_whole_calendar() {
    let env = TestEnv::new();
    let dates = [
        "0001-01-01",
        "0999-12-31",
        "1066-10-14",
        "1677-09-20",
        "1815-06-18",
        "1969-12-31",
        "1970-01-01",
        "2262-04-12",
        "5000-02-29",
        "9999-12-31",
    ];
    // 5000 is not a leap year: that file is undated, with a warning.
    for (i, date) in dates.iter().enumerate() {
        env.write(
            format!("d/{i}.txt"),
            article(date, &format!("Event{i} story"), &["Chronicle."], &[]),
        );
    }
    let run = env.index(&[]);
    assert_eq!(run.code, 0, "{}", run.err);
    let stats = env.stats();
    assert_eq!(stats["articles"], 10);
    assert_eq!(stats["undated_articles"], 1);
    assert_eq!(stats["first_date"], "0001-01-01");
    assert_eq!(stats["last_date"], "9999-12-31");
    let years: Vec<i64> = stats["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [1, 999, 1066, 1677, 1815, 1969, 1970, 2262, 9999]);
    for (i, date) in dates.iter().enumerate() {
        if *date == "5000-02-29" {
            continue;
        }
        let hits = env.on_index(&[
            "search",
            "chronicle",
            "--on",
            date,
            "-f",
            "jsonl",
            "--today",
            "2025-01-01",
        ]);
        assert_eq!(hits.code, 0, "{date}: {}", hits.err);
        let hit: serde_json::Value =
            serde_json::from_str(hits.out.lines().next().unwrap()).unwrap();
        assert_eq!(hits.out.lines().count(), 1, "{date}: {}", hits.out);
        assert_eq!(hit["date"], *date);
        assert_eq!(hit["title"], format!("Event{i} story"));
        let q = format!("date:{date}");
        let by_query = env.on_index(&["search", &q, "-f", "paths"]);
        assert_eq!(by_query.out.lines().count(), 1, "{q}: {}", by_query.err);
        let shown = env.on_index(&["show", hit["id"].as_str().unwrap(), "-f", "json"]);
        assert!(shown.out.contains(date), "show {date}: {}", shown.out);
    }
    let until = env.on_index(&[
        "search",
        "chronicle",
        "--until",
        "9999",
        "-f",
        "paths",
        "-n",
        "100",
    ]);
    assert_eq!(until.out.lines().count(), 9, "{}", until.err);
    let before = env.on_index(&["search", "date:..1969", "-f", "paths", "-n", "100"]);
    assert_eq!(before.out.lines().count(), 6, "{}", before.err);
    let facets = env.on_index(&["search", "chronicle", "--facets", "-f", "json", "-n", "0"]);
    assert!(
        facets.out.contains("\"year\":1") || facets.out.contains("0001"),
        "{}",
        facets.out
    );
    let export = env.export();
    let mut exported: Vec<&str> = export.iter().filter_map(|d| d["date"].as_str()).collect();
    exported.sort();
    assert_eq!(exported.first(), Some(&"0001-01-01T00:00:00Z"));
    assert_eq!(exported.last(), Some(&"9999-12-31T00:00:00Z"));
}

/// Defect 5: a teaser's text outlived the file it came from, and an index after changes
/// differed from a fresh build.
#[test]
fn defect5_deleted_text_goes_and_changes_equal_a_fresh_build() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        article(
            "2020-01-01",
            "Article A",
            &["a."],
            &[("The Leak", "It was confidential and whole.")],
        ),
    );
    env.write(
        "b.txt",
        article(
            "2020-01-02",
            "Article B",
            &["b."],
            &[("The Leak", "It was cut mi")],
        ),
    );
    assert_eq!(env.index(&[]).code, 0);
    let found = env.on_index(&["search", "confidential", "-f", "paths"]);
    assert_eq!(found.code, 0);
    fs::remove_file(env.archive().join("a.txt")).unwrap();
    for extra in [&[][..], &["--rebuild"][..]] {
        assert_eq!(env.index(extra).code, 0);
        let gone = env.on_index(&["search", "confidential", "-f", "paths"]);
        assert_eq!(gone.code, 1, "{extra:?}: {}", gone.out);
        assert_equals_fresh(&env, "after deleting the carrier of the text");
    }
    // A sequence of changes: appends, renames, deletes, rewrites.
    fill(&env, 60, "x");
    assert_eq!(env.index(&[]).code, 0);
    for i in (0..60).step_by(7) {
        let path = env.archive().join(format!("s{}/x{i:04}.txt", i % 5));
        match i % 3 {
            0 => fs::remove_file(&path).unwrap(),
            1 => fs::rename(&path, env.archive().join(format!("renamed{i}.txt"))).unwrap(),
            _ => {
                let mut text = fs::read_to_string(&path).unwrap();
                text = text.replace("cut mi", "now whole.");
                fs::write(
                    &path,
                    text + "\n  \u{2022} Appended teaser\n\n    Added later.\n",
                )
                .unwrap();
            }
        }
        assert_eq!(env.index(&[]).code, 0);
    }
    assert_equals_fresh(&env, "after a sequence of changes");
}

/// Defect 6: damaged index files made commands panic or fail without naming the file or
/// `--rebuild`; a bad length in `newsfind.files` made `index` allocate terabytes.
#[test]
fn defect6_damage_is_named_and_rebuild_recovers() {
    type Damage = fn(&Path);
    let zero_store: Damage = |index| {
        let store = find_ext(index, "store");
        let mut bytes = fs::read(&store).unwrap();
        let mid = bytes.len() / 2;
        let end = (mid + 4096).min(bytes.len());
        bytes[mid.saturating_sub(4096)..end].fill(0);
        fs::write(store, bytes).unwrap();
    };
    let truncate_store: Damage = |index| {
        let store = find_ext(index, "store");
        let bytes = fs::read(&store).unwrap();
        fs::write(store, &bytes[..bytes.len() / 3]).unwrap();
    };
    let remove_terms: Damage = |index| fs::remove_file(find_ext(index, "term")).unwrap();
    let empty_meta: Damage = |index| fs::write(index.join("meta.json"), "").unwrap();
    let zero_idx: Damage = |index| {
        let idx = find_ext(index, "idx");
        let mut bytes = fs::read(&idx).unwrap();
        let n = bytes.len();
        bytes[..n - 16].fill(0);
        fs::write(idx, bytes).unwrap();
    };
    for (name, damage) in [
        ("zeroed store", zero_store),
        ("truncated store", truncate_store),
        ("missing term file", remove_terms),
        ("empty meta.json", empty_meta),
        ("zeroed postings", zero_idx),
    ] {
        let env = TestEnv::new();
        fill(&env, 40, "a");
        assert_eq!(env.index(&["-q", "--commit-every", "1000000"]).code, 0);
        damage(&env.index_dir());
        for args in [
            &["search", "body", "--facets"][..],
            &[
                "show",
                &env.archive().join("s0/a0000.txt").display().to_string(),
            ][..],
            &["stats"][..],
            &["export"][..],
        ] {
            let run = env.on_index(args);
            if run.code == 0 {
                // Damage a command does not read is no failure of that command.
                continue;
            }
            assert_eq!(run.code, 2, "{name}, {args:?}: {}", run.err);
            assert!(
                !run.err.contains("panicked"),
                "{name}, {args:?}: {}",
                run.err
            );
            assert!(
                run.err.contains("--rebuild"),
                "{name}, {args:?}: {}",
                run.err
            );
            assert!(
                run.err.contains(&env.index_dir().display().to_string()),
                "{name}, {args:?}: names the index: {}",
                run.err
            );
        }
        let run = env.index(&["--rebuild"]);
        assert_eq!(run.code, 0, "{name}: --rebuild recovers: {}", run.err);
        assert_equals_fresh(&env, name);
    }
    // The state files: a bad length, a flipped byte. `index` recovers by itself.
    let env = TestEnv::new();
    fill(&env, 20, "a");
    assert_eq!(env.index(&[]).code, 0);
    let files = env.index_dir().join("newsfind.files");
    let mut bytes = fs::read(&files).unwrap();
    bytes[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    fs::write(&files, &bytes).unwrap();
    let run = env.index(&[]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.err.contains("indexing everything again"), "{}", run.err);
    assert_equals_fresh(&env, "after a damaged state file");
    let content = env.index_dir().join("newsfind.content");
    let mut bytes = fs::read(&content).unwrap();
    *bytes.last_mut().unwrap() ^= 0xff;
    fs::write(&content, &bytes).unwrap();
    fs::remove_file(env.archive().join("s0/a0000.txt")).unwrap();
    let run = env.index(&[]);
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(
        run.err.contains("newsfind.content") && run.err.contains("--rebuild"),
        "{}",
        run.err
    );
    assert_eq!(env.index(&["--rebuild"]).code, 0);
    assert_equals_fresh(&env, "after a damaged content file");
}

fn find_ext(index: &Path, ext: &str) -> std::path::PathBuf {
    let mut found: Vec<_> = fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension() == Some(OsStr::new(ext)))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(fs::metadata(p).unwrap().len()));
    found
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no .{ext} file"))
}

/// Defect 7: a skip was remembered after its cause was gone.
#[test]
fn defect7_skipped_files_are_retried() {
    let env = TestEnv::new();
    fill(&env, 3, "a");
    let big = format!(
        "{}\n{}",
        article("2020-01-01", "Big one", &["big."], &[]),
        "x".repeat(1_200_000)
    );
    env.write("big.txt", big);
    let run = env.index(&["--max-size", "1"]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(run.err.contains("too large"), "{}", run.err);
    // The file is the same; the cause (the limit) is gone.
    let run = env.index(&["--max-size", "2"]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(env.holds().0, 4);
    // Permissions (not testable as root, who reads anything).
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let path = env.write("locked.txt", article("2020-01-01", "Locked", &["l."], &[]));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        assert_eq!(env.index(&["--max-size", "2"]).code, 2);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(env.index(&["--max-size", "2"]).code, 0);
        assert_eq!(env.holds().0, 5);
    } else {
        eprintln!("defect7: running as root: the permission case is skipped");
    }
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Defect 8: links out of the archive were followed, a link to an archive file was a
/// second article, a FIFO was skipped silently and hung `parse`.
#[test]
fn defect8_links_and_special_files_are_reported_not_followed() {
    let env = TestEnv::new();
    fill(&env, 3, "a");
    let outside = env.path("outside");
    fs::create_dir_all(outside.join("sub")).unwrap();
    fs::write(
        outside.join("secret.txt"),
        article("2020-01-01", "Secret", &["Password hunter2."], &[]),
    )
    .unwrap();
    fs::write(
        outside.join("sub/deep.txt"),
        article("2020-01-01", "Deep", &["Password deep."], &[]),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), env.archive().join("passwd.txt"))
        .unwrap();
    std::os::unix::fs::symlink(&outside, env.archive().join("etc")).unwrap();
    std::os::unix::fs::symlink(
        env.archive().join("s0/a0000.txt"),
        env.archive().join("twin.txt"),
    )
    .unwrap();
    mkfifo(&env.archive().join("x.txt"));
    let started = Instant::now();
    let run = env.index(&[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "never opened the FIFO"
    );
    assert_eq!(run.code, 2, "{}", run.err);
    for name in ["passwd.txt", "etc", "twin.txt", "x.txt"] {
        assert!(
            run.err
                .lines()
                .any(|l| l.contains(name) && l.contains("skipped")),
            "{name} reported: {}",
            run.err
        );
    }
    assert_eq!(env.holds().0, 3);
    assert_eq!(env.on_index(&["search", "password"]).code, 1);
    // --follow opts in.
    let run = env.index(&["--follow"]);
    assert_eq!(run.code, 2, "the FIFO is still skipped: {}", run.err);
    // The link out, the two files under the linked folder, the twin.
    assert_eq!(env.holds().0, 7);
    // `parse` on a FIFO says so at once.
    let fifo = env.archive().join("x.txt");
    let parse = env.run(&["parse", fifo.to_str().unwrap()]);
    assert_eq!(parse.code, 2);
    assert!(parse.out.contains("not a regular file"), "{}", parse.out);
}

/// Defect 9: one huge file took the memory of the run.
#[test]
fn defect9_huge_files_are_bounded() {
    let env = TestEnv::new();
    fill(&env, 3, "a");
    let huge = fs::File::create(env.archive().join("huge.txt")).unwrap();
    huge.set_len(50 << 20).unwrap(); // sparse: costs no disk
    let run = env.index(&[]);
    assert_eq!(run.code, 2, "{}", run.err);
    assert!(
        run.err
            .lines()
            .any(|l| l.contains("huge.txt") && l.contains("too large") && l.contains("--max-size")),
        "{}",
        run.err
    );
    assert_eq!(env.holds().0, 3);
}

/// Defect 10: a FIFO as the path to index gave "0 files" and exit 0; a full disk was
/// reported as a killed worker thread.
#[test]
fn defect10_fifo_root_and_full_disk_say_what_happened() {
    let env = TestEnv::new();
    let fifo = env.path("feed.txt");
    mkfifo(&fifo);
    let index = env.index_dir();
    let run = env.run(&[
        "index",
        fifo.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(
        run.err.contains("not a folder or a regular file (a FIFO)"),
        "{}",
        run.err
    );
    assert!(!index.exists(), "nothing created");

    // A small full file system: a 3 MB tmpfs (needs root; skipped otherwise).
    let small = env.path("small");
    fs::create_dir_all(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(&small)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "defect10: cannot mount a small tmpfs here (not root?): the full-disk case is skipped"
        );
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&small);
    for i in 0..1500 {
        let words: String = (0..600).map(|w| format!("w{i}x{w} ")).collect();
        env.write(
            format!("big/{i:03}.txt"),
            article("2020-01-01", &format!("T{i}"), &[&words], &[]),
        );
    }
    let full = small.join("index");
    let run = env.run(&[
        "index",
        env.archive().to_str().unwrap(),
        "--index",
        full.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(run.err.contains("No space left on device"), "{}", run.err);
}

/// Issue 9, item 4: an index that never committed, or whose last run did not finish,
/// says so; a missing path creates nothing; `stats` without an index says what `search`
/// says; a first run commits early.
#[test]
fn unfinished_and_missing_indexes_say_so() {
    let env = TestEnv::new();
    let index = env.index_dir();
    let missing = env.path("no-such-archive");
    let run = env.run(&[
        "index",
        missing.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(run.err.contains("no-such-archive"), "{}", run.err);
    assert!(!index.exists(), "nothing created for a missing path");
    let search = env.on_index(&["search", "x"]);
    let stats = env.on_index(&["stats"]);
    assert_eq!((search.code, stats.code), (2, 2));
    assert!(search.err.contains("no index at"), "{}", search.err);
    assert_eq!(search.err, stats.err);

    // A run killed after its first commit: search says the run did not finish.
    // Enough files that the run outlasts its first (2 s) commit on a quiet machine too.
    fill(&env, 40000, "a");
    let mut child = ChildGuard::spawn(
        env.command(&env.index_args(&["-q", "-j", "1"]))
            .stderr(Stdio::null()),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let has_segments = || {
        let meta = fs::read_to_string(index.join("meta.json")).unwrap_or_default();
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap_or_default();
        meta["segments"].as_array().is_some_and(|s| !s.is_empty())
    };
    let started = Instant::now();
    let committed_while_running = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if has_segments() {
            break true;
        }
        assert!(
            Instant::now() < deadline,
            "the run neither committed nor ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let first_commit = started.elapsed();
    child.kill().unwrap();
    child.wait().unwrap();
    // Whether the run ended well is what `newsfind.run` says, not the exit status: on a
    // quiet machine the first commit can be the last, and the kill can land after the run
    // removed its marker but before the process exited.
    let finished = !index.join("newsfind.run").exists();
    eprintln!("first commit after {first_commit:?} (while running: {committed_while_running})");
    if !finished {
        assert!(
            committed_while_running,
            "a first run commits early, by time"
        );
    }
    if !finished {
        let search = env.on_index(&["search", "body"]);
        assert!(search.err.contains("did not finish"), "{}", search.err);
        assert!(search.err.contains("newsfind index"), "{}", search.err);
        let stats = env.on_index(&["stats"]);
        assert!(stats.err.contains("did not finish"), "{}", stats.err);
    }
    assert_eq!(env.index(&[]).code, 0);
    let search = env.on_index(&["search", "body"]);
    assert!(!search.err.contains("did not finish"), "{}", search.err);
}

/// Defect 4, randomised end to end: days drawn over the whole calendar (seeded), each
/// indexed in a file of its own, are found by `--on`, `date:` and ranges around them,
/// and shown and exported as themselves.
#[test]
fn defect4_random_days_over_the_calendar_round_trip() {
    let env = TestEnv::new();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut days = Vec::new();
    for i in 0..24 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let year = 1 + rng % 9999;
        let month = 1 + (rng >> 20) % 12;
        let day = 1 + (rng >> 30) % 28;
        let date = format!("{year:04}-{month:02}-{day:02}");
        env.write(
            format!("r/{i}.txt"),
            article(&date, &format!("Random{i} story"), &["Random body."], &[]),
        );
        days.push(date);
    }
    let run = env.index(&[]);
    assert_eq!(run.code, 0, "{}", run.err);
    let export = env.export();
    for (i, date) in days.iter().enumerate() {
        let on = env.on_index(&["search", &format!("random{i}"), "--on", date, "-f", "jsonl"]);
        let hit: serde_json::Value =
            serde_json::from_str(on.out.lines().next().unwrap_or("{}")).unwrap();
        assert_eq!(hit["date"], *date, "--on {date}: {}", on.err);
        let paths = |args: &[&str]| {
            let mut all = vec!["search"];
            all.extend_from_slice(args);
            all.extend(["-f", "paths"]);
            env.on_index(&all).out.lines().count()
        };
        let word = format!("random{i}");
        let q = format!("random{i} date:{date}..{date}");
        assert_eq!(paths(&[&q]), 1, "{q}");
        let q = format!("random{i} date:..{date}");
        assert_eq!(paths(&[&q]), 1, "{q}");
        assert_eq!(paths(&[&word, "--since", date]), 1, "--since {date}");
        let doc = export
            .iter()
            .find(|d| d["title"] == format!("Random{i} story"))
            .unwrap();
        assert_eq!(doc["date"], format!("{date}T00:00:00Z"));
    }
}
