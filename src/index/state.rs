//! What the ingester remembers between runs, beside the index, in two files:
//! `newsfind.files` (every file seen: size, mtime, content hash), which every run reads,
//! and `newsfind.content` (what each file holds: its title key, teasers, date, source),
//! which only a run with something to do reads. So a run over an unchanged archive of a
//! million files loads a few dozen bytes a file and nothing else.
//!
//! Both are saved as `*.pending` before a tantivy commit whose payload names their
//! generation, and renamed after it; so at any crash the state that matches the last
//! commit is on disk, and a state that matches no commit is never trusted.
//!
//! Each file is a header (magic, format, length, xxh3 of the payload) and a bincode
//! payload read with that length as its limit: a damaged or foreign file is recognised
//! before anything is allocated from its contents. Paths are kept as bytes (names that
//! are not UTF-8 are common in scraped archives), grouped by folder on disk.

use std::collections::HashMap;
use std::fs;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use bincode::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::day::Day;

const FILES: &str = "newsfind.files";
const CONTENT: &str = "newsfind.content";
/// Bumped when the saved layout or the meaning of the documents changes.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"nfstate\0";
/// Magic, format, payload length, payload hash.
const HEADER: usize = 8 + 4 + 8 + 8;

pub use super::file_table::{FileMeta, FileTable, Slot};

/// What an indexed file holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileContent {
    /// Title key of its article.
    pub title_key: u64,
    /// Keys of the teasers it carries, deduplicated.
    pub teasers: Vec<u64>,
    /// Date of the file.
    pub day: Option<Day>,
    /// The file's source, as a number in [`Content::sources`].
    pub source: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Files {
    generation: u64,
    next_no: u32,
    files: FileTable,
}

/// The content side of the state.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Content {
    generation: u64,
    /// Indexed files by number.
    pub files: HashMap<u32, FileContent>,
    /// How many indexed articles have each title key.
    pub article_titles: HashMap<u64, u32>,
    /// The file each teaser document's text was taken from (the best text among the
    /// files carrying it), so that its text goes when that file goes or changes.
    pub teaser_text_from: HashMap<u64, u32>,
    /// Display names of the sources, numbered (a million files share a few hundred).
    sources: Vec<String>,
    #[serde(skip)]
    source_numbers: HashMap<String, u32>,
}

impl Content {
    /// The number of a source's display name.
    pub fn source_number(&mut self, name: &str) -> u32 {
        if self.source_numbers.len() != self.sources.len() {
            self.source_numbers = self
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i as u32))
                .collect();
        }
        if let Some(&no) = self.source_numbers.get(name) {
            return no;
        }
        let no = self.sources.len() as u32;
        self.sources.push(name.to_string());
        self.source_numbers.insert(name.to_string(), no);
        no
    }

    /// The display name of a source number.
    pub fn source_name(&self, no: u32) -> &str {
        self.sources
            .get(no as usize)
            .map_or("unknown", String::as_str)
    }
}

pub struct State {
    dir: PathBuf,
    files: Files,
    /// Loaded on first use.
    content: Option<Content>,
}

impl State {
    /// The state that goes with the index's last commit (payload `generation`), or `None`
    /// when there is none to trust (a new index, or an older format).
    pub fn load(dir: &Path, generation: Option<u64>) -> anyhow::Result<Option<State>> {
        let Some(generation) = generation else {
            return Ok(None);
        };
        let Some(files) = read_matching::<Files>(dir, FILES, generation, |f| f.generation)? else {
            return Ok(None);
        };
        Ok(Some(State {
            dir: dir.to_path_buf(),
            files,
            content: None,
        }))
    }

    /// A state that knows no file, following the commit of `generation`.
    pub fn empty(dir: &Path, generation: u64) -> State {
        let files = Files {
            generation,
            ..Files::default()
        };
        let content = Content {
            generation,
            ..Content::default()
        };
        State {
            dir: dir.to_path_buf(),
            files,
            content: Some(content),
        }
    }

    pub fn generation(&self) -> u64 {
        self.files.generation
    }

    pub fn files(&self) -> &FileTable {
        &self.files.files
    }

    pub fn files_mut(&mut self) -> &mut FileTable {
        &mut self.files.files
    }

    /// A fresh number for a new file.
    pub fn next_file_no(&mut self) -> u32 {
        let no = self.files.next_no;
        self.files.next_no += 1;
        no
    }

    /// The content side, read from disk on first use.
    pub fn content(&mut self) -> anyhow::Result<&mut Content> {
        if self.content.is_none() {
            let generation = self.files.generation;
            let content =
                read_matching::<Content>(&self.dir, CONTENT, generation, |c| c.generation)?
                    .with_context(|| {
                        format!(
                    "{} is damaged or does not match the index: run `newsfind index --rebuild`",
                    self.dir.join(CONTENT).display()
                )
                    })?;
            self.content = Some(content);
        }
        Ok(self.content.as_mut().expect("content was just loaded"))
    }

    /// Both sides at once: the files to read, the content to change.
    pub fn parts_mut(&mut self) -> (&FileTable, Option<&mut Content>) {
        (&self.files.files, self.content.as_mut())
    }

    /// Writes the state as pending, before the commit of `generation`.
    pub fn save_pending(&mut self, generation: u64) -> anyhow::Result<()> {
        self.files.generation = generation;
        write(&self.dir, FILES, &self.files)?;
        if let Some(content) = &mut self.content {
            content.generation = generation;
            write(&self.dir, CONTENT, content)?;
        }
        Ok(())
    }

    /// Makes the pending state the current one, after its commit.
    pub fn confirm(&self) -> anyhow::Result<()> {
        let mut names = vec![FILES];
        if self.content.is_some() {
            names.push(CONTENT);
        }
        for name in names {
            let path = self.dir.join(name);
            fs::rename(pending(&self.dir, name), &path)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }
}

fn pending(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.pending"))
}

/// Reads the pending or the current file `name` whose generation is `generation`; a
/// pending one is made current (its commit happened, the rename after it did not).
fn read_matching<T: DeserializeOwned>(
    dir: &Path,
    name: &str,
    generation: u64,
    stamp: impl Fn(&T) -> u64,
) -> anyhow::Result<Option<T>> {
    for path in [pending(dir, name), dir.join(name)] {
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        // A torn, damaged or foreign file is not trusted: the caller starts over.
        let Some(value) =
            read_checked::<T>(file).with_context(|| format!("reading {}", path.display()))?
        else {
            continue;
        };
        if stamp(&value) == generation {
            if path != dir.join(name) {
                // The commit happened and `confirm` was interrupted: finish it now, before
                // this run's own pending save could overwrite the only copy.
                fs::rename(&path, dir.join(name))
                    .with_context(|| format!("writing {}", dir.join(name).display()))?;
            }
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// The value in a state file, or `None` when the file is not one this version wrote
/// whole (wrong magic or format, a length that is not the file's, a bad checksum).
/// Read as a stream (the payload is never held whole), hashed on the way; every length
/// inside is bounded by the payload's length, itself checked against the file's size.
fn read_checked<T: DeserializeOwned>(file: fs::File) -> std::io::Result<Option<T>> {
    let size = file.metadata()?.len();
    let mut input = std::io::BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; HEADER];
    if size < HEADER as u64 || input.read_exact(&mut header).is_err() {
        return Ok(None);
    }
    let word = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    let format = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    let (len, hash) = (word(12), word(20));
    if &header[..8] != MAGIC || format != FORMAT || len != size - HEADER as u64 {
        return Ok(None);
    }
    let mut hashed = Hashed {
        inner: input.take(len),
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        len: 0,
    };
    let value = codec(len).deserialize_from(&mut hashed).ok();
    // Whatever the value did not take still counts for the checksum.
    std::io::copy(&mut hashed, &mut std::io::sink())?;
    if hashed.hasher.digest() != hash {
        return Ok(None);
    }
    Ok(value)
}

/// A reader or writer that hashes and counts what goes through it.
struct Hashed<R> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// bincode, with every length inside bounded by the payload's size.
fn codec(limit: u64) -> impl Options {
    bincode::DefaultOptions::new().with_limit(limit.max(1))
}

/// Writes a state file as a stream (a million files' state is never held twice): the
/// header's length and hash are filled in once the payload is written.
fn write<T: Serialize>(dir: &Path, name: &str, value: &T) -> anyhow::Result<()> {
    let path = pending(dir, name);
    let tmp = dir.join(format!("{name}.tmp"));
    let write = || -> anyhow::Result<()> {
        let file = fs::File::create(&tmp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(&[0u8; HEADER])?;
        let mut hashed = Hashed {
            inner: &mut out,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            len: 0,
        };
        bincode::DefaultOptions::new().serialize_into(&mut hashed, value)?;
        let (len, hash) = (hashed.len, hashed.hasher.digest());
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT.to_le_bytes());
        header.extend_from_slice(&len.to_le_bytes());
        header.extend_from_slice(&hash.to_le_bytes());
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header)?;
        file.sync_all()?;
        fs::rename(&tmp, &path)?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn damaged_state_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::empty(dir.path(), 0);
        let odd = PathBuf::from(OsStr::from_bytes(b"/archive/caf\xe9/a.txt"));
        let no = state.next_file_no();
        state.files_mut().insert(
            &odd,
            FileMeta {
                no,
                size: 1,
                mtime: 2,
                hash: 3,
                skipped: None,
            },
        );
        state.save_pending(7).unwrap();
        state.confirm().unwrap();
        let loaded = State::load(dir.path(), Some(7)).unwrap().unwrap();
        assert_eq!(loaded.files().get(&odd).unwrap().hash, 3);
        assert!(State::load(dir.path(), Some(8)).unwrap().is_none());

        let path = dir.path().join(FILES);
        let good = fs::read(&path).unwrap();
        // A flipped byte, a huge length, a cut file: each is refused, none allocates.
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let mut long = good.clone();
        long[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        let cut = good[..good.len() - 1].to_vec();
        for bad in [flipped, long, cut, Vec::new(), b"garbage".to_vec()] {
            fs::write(&path, bad).unwrap();
            assert!(State::load(dir.path(), Some(7)).unwrap().is_none());
        }
    }

    /// A kill between the two renames of `confirm` leaves the committed content only as
    /// `newsfind.content.pending`; the next run's own pending save must not overwrite it
    /// (found by `tests/faults.rs::defect1_a_kill_when_a_delete_file_appears` in a
    /// fresh-clone CI run).
    #[test]
    fn a_kill_inside_confirm_loses_no_committed_state() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::empty(dir.path(), 0);
        state.save_pending(1).unwrap();
        state.confirm().unwrap();
        // Commit 2 of the index happened; the kill lands after files, before content.
        state.save_pending(2).unwrap();
        fs::rename(pending(dir.path(), FILES), dir.path().join(FILES)).unwrap();

        // The next run reads the state of commit 2, and saves commit 3 as pending, and
        // is killed before the index commits it.
        let mut next = State::load(dir.path(), Some(2)).unwrap().unwrap();
        next.content().unwrap();
        next.save_pending(3).unwrap();

        // The index is still at commit 2: its state must still be there.
        let mut again = State::load(dir.path(), Some(2)).unwrap().unwrap();
        again.content().unwrap();
    }
}
