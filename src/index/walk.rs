//! The walk: which files under the roots are candidates for the index, with their size
//! and mtime, and which were passed over and why.
//!
//! Safe by default: symbolic links are not followed (a link to `/etc/passwd` or to `/etc`
//! inside an archive must not put them in the index, and a link to another file of the
//! archive would index it twice); FIFOs, sockets and devices are never opened. Each of
//! them, when its name matches the globs, is reported as skipped. `--follow` follows
//! links (loops are detected by the walker).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use anyhow::Context;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::read::kind_of;
use super::state::{FileTable, Slot};

/// A root to index: a folder, or a single file the user named.
pub struct Root {
    pub path: PathBuf,
    pub is_file: bool,
}

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    /// Bytes of `path` taken by its root (the path under the root gives the source
    /// folder; a million files do not need a second path each).
    pub root_len: u16,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime: i64,
}

/// A path the walk passed over, with the reason shown to the user.
pub type Passed = (PathBuf, String);

/// The roots, resolved, or an error naming the first that is not a folder or a regular
/// file (checked before anything is created).
pub fn resolve_roots(roots: &[PathBuf]) -> anyhow::Result<Vec<Root>> {
    roots
        .iter()
        .map(|r| {
            let path =
                fs::canonicalize(r).with_context(|| format!("{}: cannot open", r.display()))?;
            let meta =
                fs::metadata(&path).with_context(|| format!("{}: cannot open", r.display()))?;
            let t = meta.file_type();
            if !t.is_dir() && !t.is_file() {
                anyhow::bail!(
                    "{}: not a folder or a regular file ({}): nothing to index",
                    r.display(),
                    kind_of(&t)
                );
            }
            Ok(Root {
                is_file: t.is_file(),
                path,
            })
        })
        .collect()
}

pub fn build_globs(globs: &[String]) -> anyhow::Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(false)
            .build()
            .with_context(|| format!("--glob {g:?}"))?;
        set.add(glob);
    }
    Ok(set.build()?)
}

/// What the walk gives.
#[derive(Debug, Default)]
pub struct Walked {
    /// The regular files under the roots that match the globs, sorted by path bytes,
    /// but for those `known` in the same state (below).
    pub found: Vec<Found>,
    /// Files found that `known` has with the same size and mtime, indexed: their slots
    /// (a million unchanged files are not listed, and not sorted, twice).
    pub unchanged: Vec<Slot>,
    pub passed: Vec<Passed>,
}

/// Walks the roots, in parallel. `known`, the saved state, lets files found as it left
/// them through as a slot each.
pub fn walk(
    roots: &[Root],
    globs: &GlobSet,
    index_dir: &Path,
    follow_links: bool,
    known: &FileTable,
) -> Walked {
    let index_dir = fs::canonicalize(index_dir).unwrap_or_else(|_| index_dir.to_path_buf());
    let unchanged = Mutex::new(Vec::new());
    let same = |path: &Path, meta: &fs::Metadata| -> bool {
        let Some(slot) = known.find(path) else {
            return false;
        };
        let m = known.meta(slot);
        if m.size != meta.len() || m.mtime != mtime_nanos(meta) || m.skipped.is_some() {
            return false;
        }
        unchanged.lock().expect("walk lock").push(slot);
        true
    };
    let found = Mutex::new(Vec::new());
    let passed = Mutex::new(Vec::new());
    let pass = |path: &Path, reason: String| {
        passed
            .lock()
            .expect("walk lock")
            .push((path.to_path_buf(), reason));
    };
    for root in roots {
        if root.is_file {
            match fs::metadata(&root.path) {
                Ok(meta) => found.lock().expect("walk lock").push(Found {
                    root_len: root_len(root.path.parent().unwrap_or(Path::new(""))),
                    path: root.path.clone(),
                    size: meta.len(),
                    mtime: mtime_nanos(&meta),
                }),
                Err(err) => pass(&root.path, format!("unreadable: {err}")),
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(&root.path)
            .standard_filters(false)
            .follow_links(follow_links)
            .threads(rayon::current_num_threads())
            .build_parallel();
        walker.run(|| {
            let root = &root.path;
            let found = &found;
            let index_dir = &index_dir;
            let pass = &pass;
            let same = &same;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        let path = err_path(&err).unwrap_or_else(|| root.clone());
                        pass(&path, format!("unreadable: {err}"));
                        return ignore::WalkState::Continue;
                    }
                };
                if entry.path() == index_dir {
                    return ignore::WalkState::Skip;
                }
                let Some(t) = entry.file_type() else {
                    return ignore::WalkState::Continue;
                };
                if t.is_dir() {
                    return ignore::WalkState::Continue;
                }
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                if t.is_symlink() {
                    // Not followed (without --follow): say where it goes, whatever its name,
                    // when it is a folder or its name matches.
                    let target = fs::canonicalize(entry.path());
                    let is_dir = target.as_ref().is_ok_and(|p| p.is_dir());
                    if is_dir || globs.is_match(relative) {
                        pass(entry.path(), link_reason(target, root, is_dir));
                    }
                    return ignore::WalkState::Continue;
                }
                if !globs.is_match(relative) {
                    return ignore::WalkState::Continue;
                }
                if !t.is_file() {
                    pass(
                        entry.path(),
                        format!("not a regular file: {}, never opened", kind_of(&t)),
                    );
                    return ignore::WalkState::Continue;
                }
                match entry.metadata() {
                    Ok(meta) if same(entry.path(), &meta) => {}
                    Ok(meta) => found.lock().expect("walk lock").push(Found {
                        path: entry.path().to_path_buf(),
                        root_len: root_len(root),
                        size: meta.len(),
                        mtime: mtime_nanos(&meta),
                    }),
                    Err(err) => pass(entry.path(), format!("unreadable: {err}")),
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().expect("walk lock");
    // A stable order makes runs reproducible (document order, teaser first-seen ties).
    // By bytes, not by path components: ten times cheaper on a million paths.
    found.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    found.dedup_by(|a, b| a.path == b.path);
    let mut passed = passed.into_inner().expect("walk lock");
    passed.sort();
    passed.dedup();
    let mut unchanged = unchanged.into_inner().expect("walk lock");
    // A file under two roots is found twice.
    unchanged.sort_unstable();
    unchanged.dedup();
    Walked {
        found,
        unchanged,
        passed,
    }
}

impl Found {
    /// The path under its root (for a root that is a file, its name).
    pub fn relative(&self) -> &Path {
        use std::os::unix::ffi::OsStrExt;
        let bytes = self.path.as_os_str().as_bytes();
        let rest = bytes.get(usize::from(self.root_len)..).unwrap_or(bytes);
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        Path::new(std::ffi::OsStr::from_bytes(rest))
    }
}

/// The length of a root's path, as kept in [`Found::root_len`] (saturated: a root
/// longer than 64 KiB gives whole paths as relative ones, which only changes the folder
/// a source is guessed from).
fn root_len(root: &Path) -> u16 {
    u16::try_from(root.as_os_str().len()).unwrap_or(0)
}

/// Why a link is not followed.
fn link_reason(target: std::io::Result<PathBuf>, root: &Path, is_dir: bool) -> String {
    match target {
        Err(err) => format!("symbolic link: broken ({err})"),
        Ok(target) if target.starts_with(root) && !is_dir => format!(
            "symbolic link: to {} in the archive, indexed under its own name",
            target.display()
        ),
        Ok(target) => format!(
            "symbolic link: to {}, not followed (give --follow to follow links)",
            target.display()
        ),
    }
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

fn mtime_nanos(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let found = |path: &str, root: &str| Found {
            path: PathBuf::from(path),
            root_len: root_len(Path::new(root)),
            size: 0,
            mtime: 0,
        };
        assert_eq!(
            found("/a/reuters/1.txt", "/a").relative(),
            Path::new("reuters/1.txt")
        );
        assert_eq!(found("/x.txt", "/").relative(), Path::new("x.txt"));
        assert_eq!(found("/a/x.txt", "/a").relative(), Path::new("x.txt"));
    }
}
