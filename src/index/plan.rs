//! What a run has to do, from the walk and the saved state alone (no I/O): which files
//! to read, which are unchanged, which are gone.

use std::path::{Path, PathBuf};

use super::state::{FileTable, Slot};
use super::walk::Found;

/// The work of one run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan<'a> {
    /// New files, and files whose size or mtime changed.
    pub to_read: Vec<&'a Found>,
    /// Files skipped last time, unchanged: read again, since the cause may be gone
    /// (permissions fixed, a larger `--max-size`).
    pub retry: Vec<&'a Found>,
    /// Files known with the same size and mtime.
    pub unchanged: usize,
    /// Known files under the roots that the walk no longer finds.
    pub removed: Vec<PathBuf>,
}

/// Plans a run over what the walk found under `roots` (`found`, and `unchanged`, the
/// slots of the files it found as `known`, the saved state, has them) against `known`.
/// Known files outside every root are not this run's business.
pub fn plan<'a>(
    found: &'a [Found],
    unchanged: &[Slot],
    known: &FileTable,
    roots: &[&Path],
) -> Plan<'a> {
    let mut plan = Plan {
        unchanged: unchanged.len(),
        ..Plan::default()
    };
    // Known files the walk found, by slot: what is left unmarked is gone (a bit a file,
    // where a set of the walk's paths took dozens of bytes).
    let mut seen = vec![0u64; known.slots().div_ceil(64)];
    let mut mark = |slot: Slot| seen[slot / 64] |= 1 << (slot % 64);
    unchanged.iter().copied().for_each(&mut mark);
    for f in found {
        let slot = known.find(&f.path);
        if let Some(slot) = slot {
            mark(slot);
        }
        match slot.map(|slot| known.meta(slot)) {
            Some(e) if e.size == f.size && e.mtime == f.mtime => match e.skipped {
                None => plan.unchanged += 1,
                Some(_) => plan.retry.push(f),
            },
            _ => plan.to_read.push(f),
        }
    }
    plan.removed = known
        .iter()
        .filter(|&(slot, _)| seen[slot / 64] & (1 << (slot % 64)) == 0)
        .filter_map(|(slot, _)| known.path_of(slot))
        .filter(|p| roots.iter().any(|r| p.starts_with(r)))
        .collect();
    plan.removed.sort();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::state::FileMeta;

    fn found(path: &str, size: u64, mtime: i64) -> Found {
        Found {
            path: PathBuf::from(path),
            root_len: 2,
            size,
            mtime,
        }
    }

    fn meta(size: u64, mtime: i64, skipped: Option<&str>) -> FileMeta {
        FileMeta {
            no: 0,
            size,
            mtime,
            hash: 0,
            skipped: skipped.map(Into::into),
        }
    }

    #[test]
    fn plans() {
        let walked = vec![
            found("/a/same.txt", 1, 1),
            found("/a/touched.txt", 1, 2),
            found("/a/grown.txt", 2, 1),
            found("/a/new.txt", 1, 1),
            found("/a/was-unreadable.txt", 1, 1),
        ];
        let known: FileTable = [
            ("/a/same.txt", meta(1, 1, None)),
            ("/a/touched.txt", meta(1, 1, None)),
            ("/a/grown.txt", meta(1, 1, None)),
            (
                "/a/was-unreadable.txt",
                meta(1, 1, Some("unreadable: denied")),
            ),
            ("/a/gone.txt", meta(1, 1, None)),
            ("/b/other-root.txt", meta(1, 1, None)),
        ]
        .into_iter()
        .map(|(p, m)| (PathBuf::from(p), m))
        .collect();
        let p = plan(&walked, &[], &known, &[Path::new("/a")]);
        let to_read: Vec<&str> = p.to_read.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(to_read, ["/a/touched.txt", "/a/grown.txt", "/a/new.txt"]);
        assert_eq!(p.retry, [&walked[4]]);
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.removed, [PathBuf::from("/a/gone.txt")]);
    }

    #[test]
    fn an_empty_walk_removes_everything_under_its_roots_only() {
        let known: FileTable = [
            ("/a/x.txt", meta(1, 1, None)),
            ("/ab/y.txt", meta(1, 1, None)),
        ]
        .into_iter()
        .map(|(p, m)| (PathBuf::from(p), m))
        .collect();
        let p = plan(&[], &[], &known, &[Path::new("/a")]);
        assert_eq!(p.removed, [PathBuf::from("/a/x.txt")]);
    }
}
