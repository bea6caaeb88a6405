//! The index folder: recognising it as newsfind's, locking it, opening or (re)creating
//! the tantivy index in it, clearing what interrupted runs left behind, and explaining
//! what is wrong with it (damaged files, a full disk, a run that did not finish).
//!
//! A folder is newsfind's when it holds `newsfind.lock`, which is the first file a run
//! makes: so even a run killed in its first milliseconds leaves a folder that the next
//! run (and `--rebuild`) recognises and finishes. `newsfind.run` exists while a run is
//! under way and is removed when it ends well: a reader that finds it, with no writer
//! holding the lock, knows the last run did not finish.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tantivy::Index;

use super::schema;

pub const LOCK_FILE: &str = "newsfind.lock";
/// Present while a run is under way, or after one that did not finish.
pub const RUN_FILE: &str = "newsfind.run";
const META_FILE: &str = "meta.json";

/// The suggestion every message about a damaged index ends with.
pub const REBUILD_HINT: &str = "`newsfind index --rebuild` (with the same archive) makes it again";

/// An index folder held by this process.
pub struct Locked {
    /// Held open for its lock; released when dropped.
    _lock: fs::File,
    dir: PathBuf,
}

impl Locked {
    /// Marks the run as finished.
    pub fn finish(self) -> anyhow::Result<()> {
        let run = self.dir.join(RUN_FILE);
        match fs::remove_file(&run) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(err).with_context(|| format!("removing {}", run.display()))
            }
            _ => Ok(()),
        }
    }
}

/// Creates (or recognises) the index folder, locks it, marks a run as under way, and
/// opens the index in it: a new one when there is none, or with `rebuild`.
pub fn open_for_writing(
    dir: &Path,
    rebuild: bool,
    roots: &[PathBuf],
) -> anyhow::Result<(Locked, Index)> {
    if dir.exists() && !is_ours(dir)? {
        anyhow::bail!(
            "{} is not empty and holds no newsfind index: give another --index",
            dir.display()
        );
    }
    fs::create_dir_all(dir)
        .with_context(|| format!("creating the index directory {}", dir.display()))?;
    let lock = lock(dir)?;
    let locked = Locked {
        _lock: lock,
        dir: dir.to_path_buf(),
    };
    let run = dir.join(RUN_FILE);
    let roots: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    fs::write(&run, roots.join("\n")).with_context(|| format!("writing {}", run.display()))?;
    remove_leftovers(dir)?;
    let index = if rebuild || !dir.join(META_FILE).exists() {
        // With --rebuild nothing of the old index is read: damage cannot stop it.
        clear(dir)?;
        create(dir)?
    } else {
        let index = Index::open_in_dir(dir).map_err(|err| damaged(dir, None, err.into()))?;
        if index.schema() != schema::build_schema() {
            anyhow::bail!(
                "the index in {} was made by another version of newsfind: run `newsfind index --rebuild`",
                dir.display()
            );
        }
        schema::register_tokenizers(&index);
        index
    };
    Ok((locked, index))
}

/// Whether `dir` is empty or holds a newsfind index (finished or not).
fn is_ours(dir: &Path) -> anyhow::Result<bool> {
    if dir.join(LOCK_FILE).exists() || dir.join(META_FILE).exists() {
        return Ok(true);
    }
    let mut entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    Ok(entries.next().is_none())
}

/// Takes the index's lock, or says who holds it.
fn lock(dir: &Path) -> anyhow::Result<fs::File> {
    let path = dir.join(LOCK_FILE);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another `newsfind index` is writing to {}; wait for it to finish",
            dir.display()
        ),
        Err(fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Whether a writer holds the lock of `dir` now.
fn is_locked(dir: &Path) -> bool {
    let Ok(file) = fs::OpenOptions::new().write(true).open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
}

/// Removes what a killed run can leave that tantivy does not track: its atomic writes go
/// through `.tmp*` files, and the state through `*.tmp`. (Files tantivy does track are
/// collected by the writer; see `ingest`.)
fn remove_leftovers(dir: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        if (name.starts_with(b".tmp") || name.ends_with(b".tmp")) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Removes an index's files, keeping the lock and the run marker.
fn clear(dir: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let keep = entry.file_name() == LOCK_FILE || entry.file_name() == RUN_FILE;
        if !keep && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn create(dir: &Path) -> anyhow::Result<Index> {
    let index = Index::builder()
        .schema(schema::build_schema())
        .settings(schema::index_settings())
        .create_in_dir(dir)
        .with_context(|| format!("creating an index in {}", dir.display()))?;
    schema::register_tokenizers(&index);
    Ok(index)
}

/// Opens the index in `dir` for reading, or says clearly why there is none to read.
pub fn open_for_reading(dir: &Path) -> anyhow::Result<Index> {
    if !dir.join(META_FILE).exists() {
        if dir.join(RUN_FILE).exists() {
            anyhow::bail!(
                "the first `newsfind index` run into {} did not get to its first commit: \
                 run `newsfind index ARCHIVE --index {}` again",
                dir.display(),
                dir.display()
            );
        }
        anyhow::bail!(
            "no index at {}: make one with `newsfind index ARCHIVE --index {}`",
            dir.display(),
            dir.display()
        );
    }
    let index = Index::open_in_dir(dir).map_err(|err| damaged(dir, None, err.into()))?;
    schema::register_tokenizers(&index);
    Ok(index)
}

/// What a reader should know about the index beside its contents: a run under way, a
/// run that did not finish, an index with nothing in it.
pub fn notes(dir: &Path, documents: u64) -> Vec<String> {
    let mut notes = Vec::new();
    if dir.join(RUN_FILE).exists() {
        let roots = fs::read_to_string(dir.join(RUN_FILE)).unwrap_or_default();
        let roots = roots.lines().collect::<Vec<_>>().join(" ");
        if is_locked(dir) {
            notes.push(format!(
                "`newsfind index` is writing to {} now: this is the index as of its last commit",
                dir.display()
            ));
        } else {
            notes.push(format!(
                "the last `newsfind index` run into {} did not finish: the index is as of its \
                 last commit; run `newsfind index {roots} --index {}` to finish it",
                dir.display(),
                dir.display()
            ));
        }
    }
    if documents == 0 {
        notes.push(format!(
            "the index in {} holds no document yet",
            dir.display()
        ));
    }
    notes
}

/// A panic inside tantivy, caught (tantivy panics on some damaged files).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Panicked(pub String);

/// `err`, said as what it means for the index in `dir`: that the disk is full, or which
/// of its files are damaged (found by their checksums), with the way out. Errors that
/// come neither from tantivy nor from a panic are left as they are.
pub fn damaged(dir: &Path, index: Option<&Index>, err: anyhow::Error) -> anyhow::Error {
    if let Some(free) = free_bytes(dir) {
        if is_no_space(&err) || (free < (16 << 20) && is_tantivy(&err)) {
            return err.context(format!(
                "No space left on device: the file system of {} has {} MB free",
                dir.display(),
                free >> 20
            ));
        }
    }
    let said = err.chain().any(|c| c.to_string().contains(REBUILD_HINT));
    if said || !is_tantivy(&err) {
        return err;
    }
    // Only now read every file of the index: a bad query must not cost that.
    let mut files = damaged_files(dir, index);
    let meta = dir.join(META_FILE);
    let bad_meta = fs::read(&meta)
        .map(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).is_err())
        .unwrap_or(false);
    if bad_meta {
        files.push(meta);
    }
    let names = if files.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        format!(" ({} damaged)", names.join(", "))
    };
    err.context(format!(
        "the index in {} is damaged or unreadable{names}: {REBUILD_HINT}",
        dir.display()
    ))
}

fn is_tantivy(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.is::<tantivy::TantivyError>() || c.is::<Panicked>())
}

/// Files of the index's segments whose checksum fails or that cannot be read.
fn damaged_files(dir: &Path, index: Option<&Index>) -> Vec<PathBuf> {
    let opened;
    let index = match index {
        Some(index) => index,
        None => match Index::open_in_dir(dir) {
            Ok(index) => {
                opened = index;
                &opened
            }
            Err(_) => return Vec::new(),
        },
    };
    let Ok(metas) = index.load_metas() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = metas
        .list_segment_files()
        .into_iter()
        .filter(|f| dir.join(f).exists())
        .filter(|f| !matches!(index.directory().validate_checksum(f), Ok(true)))
        .map(|f| dir.join(f))
        .collect();
    files.sort();
    files
}

fn is_no_space(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.raw_os_error() == Some(libc::ENOSPC))
            || c.to_string().contains("No space left")
    })
}

/// Bytes free for us on the file system of `dir`.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed struct for the kernel to fill.
    if unsafe { libc::statvfs(path.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}
