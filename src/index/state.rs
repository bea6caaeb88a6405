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
use std::ffi::OsStr;
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use bincode::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::day::Day;

const FILES: &str = "newsfind.files";
const CONTENT: &str = "newsfind.content";
/// Bumped when the saved layout or the meaning of the documents changes.
const FORMAT: u32 = 4;
const MAGIC: &[u8; 8] = b"nfstate\0";
/// Magic, format, payload length, payload hash.
const HEADER: usize = 8 + 4 + 8 + 8;

/// One indexed (or skipped) file, as the walk compares it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileMeta {
    /// Number of the file in [`Content`].
    pub no: u32,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime: i64,
    /// xxh3 of the file's bytes.
    pub hash: u64,
    /// Why the file is not in the index, when it is not.
    pub skipped: Option<String>,
}

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
    #[serde(serialize_with = "paths_out", deserialize_with = "paths_in")]
    files: HashMap<PathBuf, FileMeta>,
}

/// Folder bytes, then the names in it with their entries: a path's folder is written once.
type OnDisk<'a> = Vec<(&'a [u8], Vec<(&'a [u8], &'a FileMeta)>)>;

fn paths_out<S: Serializer>(files: &HashMap<PathBuf, FileMeta>, s: S) -> Result<S::Ok, S::Error> {
    let mut sorted: Vec<(&Path, &FileMeta)> = files.iter().map(|(p, m)| (p.as_path(), m)).collect();
    sorted.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    let mut grouped: OnDisk<'_> = Vec::new();
    for (path, meta) in sorted {
        let folder = path.parent().map_or(&b""[..], |p| p.as_os_str().as_bytes());
        let name = path.file_name().map_or(&b""[..], OsStr::as_bytes);
        match grouped.last_mut() {
            Some((f, names)) if *f == folder => names.push((name, meta)),
            _ => grouped.push((folder, vec![(name, meta)])),
        }
    }
    grouped.serialize(s)
}

fn paths_in<'de, D: Deserializer<'de>>(d: D) -> Result<HashMap<PathBuf, FileMeta>, D::Error> {
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};

    /// Fills the map straight from the folders on disk, with no copy of them in between
    /// (at a million files, the copy was most of the memory of an unchanged run).
    struct Folders;
    struct Names<'m> {
        folder: PathBuf,
        files: &'m mut HashMap<PathBuf, FileMeta>,
    }
    struct Folder<'m>(&'m mut HashMap<PathBuf, FileMeta>);

    impl<'de> Visitor<'de> for Folders {
        type Value = HashMap<PathBuf, FileMeta>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("folders of files")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut files = HashMap::new();
            while seq.next_element_seed(Folder(&mut files))?.is_some() {}
            Ok(files)
        }
    }
    impl<'de> DeserializeSeed<'de> for Folder<'_> {
        type Value = ();
        fn deserialize<D2: Deserializer<'de>>(self, d: D2) -> Result<(), D2::Error> {
            d.deserialize_tuple(2, self)
        }
    }
    impl<'de> Visitor<'de> for Folder<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a folder and its files")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let folder: Vec<u8> = seq
                .next_element()?
                .ok_or_else(|| serde::de::Error::custom("a folder without its files"))?;
            let names = Names {
                folder: PathBuf::from(OsStr::from_bytes(&folder)),
                files: self.0,
            };
            seq.next_element_seed(names)?
                .ok_or_else(|| serde::de::Error::custom("a folder without its files"))
        }
    }
    impl<'de> DeserializeSeed<'de> for Names<'_> {
        type Value = ();
        fn deserialize<D2: Deserializer<'de>>(self, d: D2) -> Result<(), D2::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Names<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("file names")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some((name, meta)) = seq.next_element::<(Vec<u8>, FileMeta)>()? {
                self.files
                    .insert(self.folder.join(OsStr::from_bytes(&name)), meta);
            }
            Ok(())
        }
    }
    d.deserialize_seq(Folders)
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

    pub fn files(&self) -> &HashMap<PathBuf, FileMeta> {
        &self.files.files
    }

    pub fn files_mut(&mut self) -> &mut HashMap<PathBuf, FileMeta> {
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
    pub fn parts_mut(&mut self) -> (&HashMap<PathBuf, FileMeta>, Option<&mut Content>) {
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

/// Reads the pending or the current file `name` whose generation is `generation`.
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
    };
    let value = codec(len).deserialize_from(&mut hashed).ok();
    // Whatever the value did not take still counts for the checksum.
    std::io::copy(&mut hashed, &mut std::io::sink())?;
    if hashed.hasher.digest() != hash {
        return Ok(None);
    }
    Ok(value)
}

/// A reader that hashes what goes through it.
struct Hashed<R> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// bincode, with every length inside bounded by the payload's size.
fn codec(limit: u64) -> impl Options {
    bincode::DefaultOptions::new().with_limit(limit.max(1))
}

fn write<T: Serialize>(dir: &Path, name: &str, value: &T) -> anyhow::Result<()> {
    let path = pending(dir, name);
    let tmp = dir.join(format!("{name}.tmp"));
    let write = || -> anyhow::Result<()> {
        let payload = bincode::DefaultOptions::new().serialize(value)?;
        let file = fs::File::create(&tmp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT.to_le_bytes())?;
        out.write_all(&(payload.len() as u64).to_le_bytes())?;
        out.write_all(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes())?;
        out.write_all(&payload)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, &path)?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_state_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::empty(dir.path(), 0);
        let odd = PathBuf::from(OsStr::from_bytes(b"/archive/caf\xe9/a.txt"));
        let no = state.next_file_no();
        state.files_mut().insert(
            odd.clone(),
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
}
