//! The test environment shared by the integration tests: a temp archive and index, the
//! real binary run against them, and counts read from `stats --format json` and
//! `export` (never from the prose of a summary).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test: this build's, or `NEWSFIND_TEST_BIN` (to show that a test
/// fails on an older build).
pub fn bin() -> PathBuf {
    std::env::var_os("NEWSFIND_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_newsfind")))
}

/// A temp archive and index, and the binary run against them.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn archive(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a file under the archive (`rel` may hold any bytes but `/` and NUL).
    pub fn write(&self, rel: impl AsRef<OsStr>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.archive().join(rel.as_ref());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    pub fn command(&self, args: &[&OsStr]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .current_dir(self.dir.path())
            .env_remove("NEWSFIND_INDEX")
            .env_remove("NEWSFIND_FAULT");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        Run::from(self.command(&args).output().unwrap())
    }

    /// `newsfind index ARCHIVE --index INDEX EXTRA...`
    pub fn index_args(&self, extra: &[&str]) -> Vec<std::ffi::OsString> {
        let mut args = vec![
            "index".into(),
            self.archive().into_os_string(),
            "--index".into(),
            self.index_dir().into_os_string(),
        ];
        args.extend(extra.iter().map(|a| a.into()));
        args
    }

    pub fn index(&self, extra: &[&str]) -> Run {
        let args = self.index_args(extra);
        let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        Run::from(self.command(&args).output().unwrap())
    }

    /// A command on this index (`--index` added).
    pub fn on_index(&self, args: &[&str]) -> Run {
        let index = self.index_dir();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--index", index.to_str().unwrap()]);
        self.run(&all)
    }

    /// `stats --format json`, parsed.
    pub fn stats(&self) -> serde_json::Value {
        let run = self.on_index(&["stats", "--format", "json"]);
        assert_eq!(run.code, 0, "stats failed: {}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
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
    pub fn export(&self) -> Vec<serde_json::Value> {
        export_of(&self.index_dir())
    }

    /// The export of a fresh index of the archive as it is now (made aside).
    pub fn fresh_export(&self) -> Vec<serde_json::Value> {
        let fresh = self.dir.path().join("fresh-index");
        let _ = fs::remove_dir_all(&fresh);
        let out = Command::new(bin())
            .args([
                OsStr::new("index"),
                self.archive().as_os_str(),
                OsStr::new("--index"),
                fresh.as_os_str(),
                OsStr::new("-q"),
            ])
            .env_remove("NEWSFIND_FAULT")
            .output()
            .unwrap();
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(2),
            "fresh index: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let docs = export_of(&fresh);
        fs::remove_dir_all(&fresh).unwrap();
        docs
    }
}

pub fn export_of(index: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(bin())
        .args([
            OsStr::new("export"),
            OsStr::new("--index"),
            index.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut docs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    docs.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    docs
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
