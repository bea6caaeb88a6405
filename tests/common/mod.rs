//! The test environment every integration test shares: a temp dir holding an archive
//! (written by the test, or the fixture archive copied in) and its index; the real binary
//! run there with a fixed environment and its exit code and output captured; what a test
//! reads back (counts from `stats --format json`, documents from `export`, the JSON of any
//! command, never the prose of a summary); and a guard that stops a child process when the
//! test ends, passed or failed.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use serde_json::Value;

/// The binary under test: this build's, or `NEWSFIND_TEST_BIN` (to show that a test
/// fails on an older build).
pub fn bin() -> PathBuf {
    std::env::var_os("NEWSFIND_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_newsfind")))
}

/// The fixture archive of tests/fixtures/search (described in tests/search.rs).
pub fn fixture_archive() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search/archive")
}

/// A temp dir with `archive/` and its index `idx/`, and the binary run in it.
///
/// Commands get absolute paths; newsfind shows paths under its working directory
/// relative to it, so output reads `archive/…` and `idx/…` as a person would type them.
pub struct TestEnv {
    /// Removed, with all in it, when the environment is dropped.
    dir: tempfile::TempDir,
    /// `dir`, resolved (paths in output are shown relative to it).
    root: PathBuf,
    /// `NEWSFIND_TODAY` for every command, if set.
    today: Option<String>,
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit code; -1 if a signal ended the run.
    pub code: i32,
    /// What it printed on stdout.
    pub out: String,
    /// What it printed on stderr.
    pub err: String,
}

impl Run {
    /// `what` names the command in the failure message if the output is not UTF-8.
    fn from(what: &dyn std::fmt::Debug, out: Output) -> Run {
        let utf8 = |bytes: Vec<u8>, stream: &str| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| panic!("{what:?} printed non-UTF-8 on {stream}: {e}"))
        };
        Run {
            code: out.status.code().unwrap_or(-1),
            out: utf8(out.stdout, "stdout"),
            err: utf8(out.stderr, "stderr"),
        }
    }
}

impl Default for TestEnv {
    fn default() -> TestEnv {
        TestEnv::new()
    }
}

impl TestEnv {
    /// An empty temp dir (no archive yet).
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        TestEnv {
            dir,
            root,
            today: None,
        }
    }

    /// Runs every command with this date as today (`NEWSFIND_TODAY`), for relative
    /// dates and the date facets.
    pub fn today(mut self, day: &str) -> TestEnv {
        self.today = Some(day.to_string());
        self
    }

    /// The fixture archive copied to `archive/` (not indexed).
    pub fn with_fixtures(self) -> TestEnv {
        self.copy_fixtures("archive");
        self
    }

    /// Copies the fixture archive to `to` (relative to the temp dir).
    pub fn copy_fixtures(&self, to: &str) {
        copy_tree(&fixture_archive(), &self.path(to));
    }

    /// The temp dir, where commands run.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `rel` under the temp dir.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    pub fn archive(&self) -> PathBuf {
        self.path("archive")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.path("idx")
    }

    /// Writes a file under the archive (`rel` may hold any bytes but NUL).
    pub fn write(&self, rel: impl AsRef<OsStr>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.archive().join(rel.as_ref());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Removes a file under the archive.
    pub fn remove(&self, rel: impl AsRef<Path>) {
        fs::remove_file(self.archive().join(rel)).unwrap();
    }

    /// Sets what every command here runs with: the temp dir as working directory, today
    /// if set, and none of the variables that would point newsfind elsewhere or change
    /// its output (an index, a cluster, a token, a fault to inject, `NO_COLOR`).
    pub fn configure<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.current_dir(&self.root);
        for var in [
            "NEWSFIND_INDEX",
            "NEWSFIND_REMOTE",
            "NEWSFIND_TOKEN",
            "NEWSFIND_FAULT",
            "NEWSFIND_TODAY",
            "NO_COLOR",
        ] {
            cmd.env_remove(var);
        }
        if let Some(day) = &self.today {
            cmd.env("NEWSFIND_TODAY", day);
        }
        cmd
    }

    /// `newsfind ARGS`, not yet run.
    pub fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(bin());
        self.configure(&mut cmd).args(args);
        cmd
    }

    /// Runs `newsfind ARGS`.
    pub fn run<S: AsRef<OsStr> + std::fmt::Debug>(&self, args: &[S]) -> Run {
        Run::from(&args, self.command(args).output().unwrap())
    }

    /// `newsfind ARGS`, running, stopped when the guard is dropped.
    pub fn spawn<S: AsRef<OsStr>>(&self, args: &[S]) -> ChildGuard {
        ChildGuard::spawn(&mut self.command(args))
    }

    /// `index ARCHIVE --index INDEX EXTRA...`
    pub fn index_args(&self, extra: &[&str]) -> Vec<OsString> {
        let mut args = vec![
            "index".into(),
            self.archive().into_os_string(),
            "--index".into(),
            self.index_dir().into_os_string(),
        ];
        args.extend(extra.iter().map(|a| a.into()));
        args
    }

    /// Runs `newsfind index ARCHIVE --index INDEX EXTRA...`.
    pub fn index(&self, extra: &[&str]) -> Run {
        self.run(&self.index_args(extra))
    }

    /// `index -q`, which must exit with at most `max_code` (0: clean; 2: some files were
    /// skipped, as in an archive with bad files on purpose).
    pub fn index_ok(&self, max_code: i32) -> Run {
        let run = self.index(&["-q"]);
        assert!(
            (0..=max_code).contains(&run.code),
            "index failed ({}): {}",
            run.code,
            run.err
        );
        run
    }

    /// `ARGS --index INDEX`: a command on this index.
    pub fn on_index(&self, args: &[&str]) -> Run {
        let index = self.index_dir();
        let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        all.extend([OsStr::new("--index"), index.as_os_str()]);
        self.run(&all)
    }

    /// `search ARGS --index INDEX`.
    pub fn search(&self, args: &[&str]) -> Run {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        self.on_index(&all)
    }

    /// What the CLI prints as JSON for `ARGS` (a subcommand and its arguments) on this
    /// index; the command must exit 0 or 1 (found nothing).
    pub fn cli_json(&self, args: &[&str]) -> Value {
        // Options right after the subcommand: its arguments may end with `-- -word`.
        let index = self.index_dir();
        let mut all = vec![
            args[0],
            "--index",
            index.to_str().unwrap(),
            "--format",
            "json",
        ];
        all.extend_from_slice(&args[1..]);
        let run = self.run(&all);
        assert!(
            (0..=1).contains(&run.code),
            "{all:?} ({}): {}",
            run.code,
            run.err
        );
        serde_json::from_str(&run.out)
            .unwrap_or_else(|e| panic!("{all:?}: not JSON ({e}): {}", run.out))
    }

    /// `stats --format json`, parsed.
    pub fn stats(&self) -> Value {
        let run = self.on_index(&["stats", "--format", "json"]);
        assert_eq!(run.code, 0, "stats failed: {}", run.err);
        serde_json::from_str(&run.out).unwrap()
    }

    /// (articles, teasers) in the index.
    pub fn holds(&self) -> (u64, u64) {
        let s = self.stats();
        (
            s["articles"].as_u64().unwrap(),
            s["teasers"].as_u64().unwrap(),
        )
    }

    /// Every document as exported, in id order: two indexes of the same files are equal
    /// when these are.
    pub fn export(&self) -> Vec<Value> {
        self.export_of(&self.index_dir())
    }

    /// The export of a fresh index of the archive as it is now (made aside).
    pub fn fresh_export(&self) -> Vec<Value> {
        let fresh = self.path("fresh-index");
        let _ = fs::remove_dir_all(&fresh);
        let run = self.run(&[
            OsStr::new("index"),
            self.archive().as_os_str(),
            OsStr::new("--index"),
            fresh.as_os_str(),
            OsStr::new("-q"),
        ]);
        assert!(run.code == 0 || run.code == 2, "fresh index: {}", run.err);
        let docs = self.export_of(&fresh);
        fs::remove_dir_all(&fresh).unwrap();
        docs
    }

    fn export_of(&self, index: &Path) -> Vec<Value> {
        let run = self.run(&[
            OsStr::new("export"),
            OsStr::new("--index"),
            index.as_os_str(),
        ]);
        assert_eq!(run.code, 0, "export: {}", run.err);
        let mut docs: Vec<Value> = run
            .out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        docs.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        docs
    }
}

/// A child process that is killed (and waited for) when dropped, so that a test that
/// fails leaves none behind.
pub struct ChildGuard(Child);

impl ChildGuard {
    pub fn spawn(cmd: &mut Command) -> ChildGuard {
        ChildGuard(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("starting {:?}: {e}", cmd.get_program())),
        )
    }
}

impl Deref for ChildGuard {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl DerefMut for ChildGuard {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An article file in the archive format.
pub fn article(date: &str, title: &str, body: &[&str], teasers: &[(&str, &str)]) -> String {
    let mut s = format!(" date {date} {title}\n\nJane Doe\n\u{b7}2 min read\n\n");
    for p in body {
        s += &format!("{p}\n\nADVERTISEMENT\n\n");
    }
    if !teasers.is_empty() {
        s += "Latest Stories\n\n";
        for (t, summary) in teasers {
            s += &format!("  \u{2022} {t}\n\n    {summary}\n\n");
        }
    }
    s
}

/// Copies a folder tree (a fixture archive) into a temp dir.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
