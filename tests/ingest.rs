//! `newsfind index` and `newsfind parse` end to end, on archives built in temp dirs.

mod common;

use std::fs;

use common::{article, Run, TestEnv};

fn counts_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.contains(" new, ") && l.contains(" removed, "))
        .unwrap_or_else(|| panic!("no counts in {stderr}"))
}

#[test]
fn indexes_sources_and_reports_bad_files() {
    let env = TestEnv::new();
    env.write(
        "reuters/001.txt",
        article(
            "2020-01-02",
            "Oil prices rise",
            &["Crude went up."],
            &[("Gold falls", "Gold fell.")],
        ),
    );
    env.write(
        "the-hill/001.txt",
        article(
            "2020-01-03",
            "Senate votes",
            &["The vote."],
            &[("Gold falls", "Gold fell today.")],
        ),
    );
    env.write(
        "flat.txt",
        format!(
            "AP News{}",
            article("2020-01-04", "Storm hits", &["Rain."], &[])
        ),
    );
    env.write("misc/empty.txt", "");
    env.write("misc/binary.txt", [0u8, 159, 146, 150, 0, 1, 2]);
    env.write(
        "misc/cp1252.txt",
        b" date 2020-01-05 Caf\xe9 story\n\nA \x93quoted\x94 body.\n",
    );
    env.write(
        "misc/crlf.txt",
        " date 2020-01-06 Windows story\r\n\r\nBody.\r\n",
    );
    env.write("misc/undated.txt", " date None Undated story\n\nBody.\n");
    env.write("notes.md", "not an article");

    // -v: every warning on its own line.
    let Run {
        code, err: stderr, ..
    } = env.index(&["-v"]);
    assert_eq!(code, 2, "a skipped file makes exit 2: {stderr}");
    assert!(
        stderr.contains("misc/empty.txt: skipped: empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("misc/binary.txt: skipped: binary"),
        "{stderr}"
    );
    assert!(
        stderr.contains("misc/cp1252.txt: not UTF-8, decoded as Windows-1252"),
        "{stderr}"
    );
    assert!(
        stderr.contains("misc/crlf.txt: CRLF line endings"),
        "{stderr}"
    );
    assert!(
        stderr.contains("misc/undated.txt: header date \"None\" is not a date"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("notes.md"),
        "only *.txt by default: {stderr}"
    );
    assert!(
        counts_line(&stderr).starts_with("8 files: 8 new"),
        "{stderr}"
    );
    assert!(
        counts_line(&stderr).contains("2 (1 binary, 1 empty) skipped"),
        "{stderr}"
    );
    // Six articles; one teaser seen in two files is one document.
    assert_eq!(env.holds(), (6, 1), "{stderr}");

    let out = env.run(&[
        "parse",
        env.archive().join("flat.txt").to_str().unwrap(),
        env.archive().join("reuters/001.txt").to_str().unwrap(),
    ]);
    let objs: Vec<serde_json::Value> = out
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs[0]["source"], "AP News");
    assert_eq!(objs[1]["source"], "reuters");
    assert_eq!(objs[1]["teasers"][0]["title"], "Gold falls");
    assert_eq!(objs[1]["byline"], "Jane Doe");
    assert_eq!(objs[1]["body"], "Crude went up.");
}

#[test]
fn incremental_runs_read_only_what_changed() {
    let env = TestEnv::new();
    for i in 0..20 {
        env.write(
            format!("src{}/{i:03}.txt", i % 3),
            article(
                "2021-05-01",
                &format!("Story {i}"),
                &[&format!("Body {i}.")],
                &[("Shared teaser", "Seen everywhere.")],
            ),
        );
    }
    let Run {
        code, err: stderr, ..
    } = env.index(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(env.holds(), (20, 1));

    let stderr = env.index(&[]).err;
    assert!(
        counts_line(&stderr).starts_with("20 files: 0 new, 0 changed, 20 unchanged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("wrote 0 articles and 0 teasers"),
        "{stderr}"
    );

    // Same bytes, new mtime: re-read and hashed, not re-indexed.
    let path = env.archive().join("src0/000.txt");
    let f = fs::File::options().append(true).open(&path).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    let stderr = env.index(&[]).err;
    assert!(
        counts_line(&stderr).contains("0 changed, 20 unchanged (1 touched"),
        "{stderr}"
    );

    // Changed content: that file only.
    env.write(
        "src1/001.txt",
        article("2021-05-02", "Story 1 updated", &["New body."], &[]),
    );
    env.write(
        "src2/new.txt",
        article(
            "2021-05-03",
            "A new story",
            &["Fresh."],
            &[("Another teaser", "")],
        ),
    );
    let stderr = env.index(&[]).err;
    assert!(
        counts_line(&stderr).starts_with("21 files: 1 new, 1 changed, 19 unchanged, 0 removed"),
        "{stderr}"
    );
    assert_eq!(env.holds(), (21, 2), "{stderr}");

    // Removed files take their documents with them; a teaser goes with its last file.
    fs::remove_file(env.archive().join("src2/new.txt")).unwrap();
    fs::remove_file(env.archive().join("src0/000.txt")).unwrap();
    let stderr = env.index(&[]).err;
    assert!(counts_line(&stderr).contains("2 removed"), "{stderr}");
    assert_eq!(env.holds(), (19, 1), "{stderr}");

    let stderr = env.index(&["--rebuild"]).err;
    assert!(
        counts_line(&stderr).starts_with("19 files: 19 new"),
        "{stderr}"
    );
    assert_eq!(env.holds(), (19, 1), "{stderr}");
}

#[test]
fn teaser_with_an_article_of_the_same_title_stays_one_teaser() {
    let env = TestEnv::new();
    env.write(
        "a/1.txt",
        article(
            "2021-05-01",
            "First",
            &["x."],
            &[("The Big Story", "It was big.")],
        ),
    );
    env.write(
        "a/2.txt",
        article(
            "2021-05-02",
            "Second",
            &["y."],
            &[("The big story!", "It was big, cut mi")],
        ),
    );
    env.write(
        "b/3.txt",
        article("2021-05-03", "The Big Story", &["It was big. Really."], &[]),
    );
    let stderr = env.index(&[]).err;
    assert_eq!(env.holds(), (3, 1), "{stderr}");
}

#[test]
fn source_override_and_glob() {
    let env = TestEnv::new();
    env.write("x/a.txt", article("2021-05-01", "A", &["a."], &[]));
    env.write("x/b.news", article("2021-05-01", "B", &["b."], &[]));
    let Run {
        code, err: stderr, ..
    } = env.index(&["--glob", "*.news", "--source", "My Feed"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        counts_line(&stderr).starts_with("1 file: 1 new"),
        "{stderr}"
    );
}

#[test]
fn a_second_writer_is_refused() {
    let env = TestEnv::new();
    env.write("a/1.txt", article("2021-05-01", "First", &["x."], &[]));
    let code = env.index(&[]).code;
    assert_eq!(code, 0);
    let lock = fs::File::options()
        .write(true)
        .open(env.index_dir().join("newsfind.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let Run {
        code, err: stderr, ..
    } = env.index(&[]);
    assert_eq!(code, 3, "a run that could not run is a failure");
    assert!(
        stderr.contains("another `newsfind index` is writing to"),
        "{stderr}"
    );
    drop(lock);
    let code = env.index(&[]).code;
    assert_eq!(code, 0);
}

#[test]
fn a_killed_run_leaves_a_usable_index_and_the_next_run_finishes() {
    let env = TestEnv::new();
    let body: Vec<String> = (0..30)
        .map(|k| format!("Paragraph {k} of a long article about many things."))
        .collect();
    let body: Vec<&str> = body.iter().map(String::as_str).collect();
    for i in 0..1500 {
        env.write(
            format!("s{}/{i:04}.txt", i % 7),
            article(
                "2019-03-04",
                &format!("Title {i}"),
                &body,
                &[(&format!("Teaser {}", i % 50), "Summary.")],
            ),
        );
    }
    for delay_ms in [30, 120, 400] {
        let index = env.index_dir();
        let mut child = env.spawn(&env.index_args(&["-q", "--commit-every", "100"]));
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if index.join("meta.json").exists() {
            // Whatever was committed opens and reads.
            let out = env.on_index(&["stats"]);
            assert_eq!(out.code, 0, "{}", out.err);
        }
        let Run {
            code, err: stderr, ..
        } = env.index(&[]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            env.holds(),
            (1500, 50),
            "after a kill at {delay_ms} ms: {stderr}"
        );
        fs::remove_dir_all(&index).unwrap();
    }
}

#[test]
fn parse_reports_unparseable_files() {
    let env = TestEnv::new();
    env.write("empty.txt", "");
    let path = env.archive().join("empty.txt");
    let missing = env.archive().join("missing.txt");
    let out = env.run(&["parse", path.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    let objs: Vec<serde_json::Value> = out
        .out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 2);
    assert!(objs[0]["skipped"].as_str().unwrap().starts_with("empty"));
    assert!(objs[1]["skipped"]
        .as_str()
        .unwrap()
        .starts_with("unreadable"));
}
