//! What the ingester remembers between runs, beside the index: every file it has seen
//! (size, mtime, content hash, what it holds) and where every teaser was seen.
//!
//! The state is saved as `state.pending` before a tantivy commit whose payload names its
//! generation, and renamed to `state` after it; so at any crash the state that matches the
//! last commit is on disk, and a state that matches no commit is never trusted.

use std::collections::HashMap;
use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

const STATE_FILE: &str = "newsfind.state";
const PENDING_FILE: &str = "newsfind.state.pending";
/// Bumped when the saved layout or the meaning of the documents changes.
const FORMAT: u32 = 2;

/// One indexed (or skipped) file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Number of the file, used by teaser sightings.
    pub no: u32,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime: i128,
    /// xxh3 of the file's bytes.
    pub hash: u64,
    /// Why the file is not in the index, when it is not.
    pub skipped: Option<String>,
    /// Title key of its article.
    pub title_key: Option<u64>,
    /// Keys of the teasers it carries, deduplicated.
    pub teasers: Vec<u64>,
    /// Date of the file, days since the epoch.
    pub day: Option<i32>,
    /// The file's source, as a number in [`State::sources`].
    pub source: u32,
}

/// Where a teaser was seen: file number and that file's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    pub file: u32,
    pub day: Option<i32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    format: u32,
    /// Generation of the commit this state goes with.
    pub generation: u64,
    next_no: u32,
    /// Every file by absolute path.
    pub files: HashMap<PathBuf, FileEntry>,
    /// Sightings of every teaser, by title key.
    pub teasers: HashMap<u64, Vec<Sighting>>,
    /// How many indexed articles have each title key.
    pub article_titles: HashMap<u64, u32>,
    /// Display names of the sources, numbered (a million files share a few hundred).
    sources: Vec<String>,
    #[serde(skip)]
    source_numbers: HashMap<String, u32>,
}

impl State {
    /// A state that knows no file, following the commit of `generation`.
    pub fn empty(generation: u64) -> State {
        State {
            generation,
            ..State::default()
        }
    }

    /// A fresh number for a new file.
    pub fn next_file_no(&mut self) -> u32 {
        let no = self.next_no;
        self.next_no += 1;
        no
    }

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

    /// Loads the state that goes with the index's last commit (payload `generation`), or
    /// `None` when there is none to trust (a new index, or an older format).
    pub fn load(dir: &Path, generation: Option<u64>) -> anyhow::Result<Option<State>> {
        let Some(generation) = generation else {
            return Ok(None);
        };
        for name in [PENDING_FILE, STATE_FILE] {
            let path = dir.join(name);
            let file = match fs::File::open(&path) {
                Ok(file) => file,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
            };
            let state: State = match bincode::deserialize_from(BufReader::new(file)) {
                Ok(state) => state,
                // A torn or foreign file is not trusted: the caller starts over.
                Err(_) => continue,
            };
            if state.format == FORMAT && state.generation == generation {
                return Ok(Some(state));
            }
        }
        Ok(None)
    }

    /// Writes the state as pending, before the commit of `generation`.
    pub fn save_pending(&mut self, dir: &Path, generation: u64) -> anyhow::Result<()> {
        self.format = FORMAT;
        self.generation = generation;
        let path = dir.join(PENDING_FILE);
        let tmp = dir.join(format!("{PENDING_FILE}.tmp"));
        let write = || -> anyhow::Result<()> {
            let file = fs::File::create(&tmp)?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            bincode::serialize_into(&mut out, self)?;
            out.flush()?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&tmp, &path)?;
            Ok(())
        };
        write().with_context(|| format!("writing {}", path.display()))
    }

    /// Makes the pending state the current one, after its commit.
    pub fn confirm(dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(STATE_FILE);
        fs::rename(dir.join(PENDING_FILE), &path)
            .with_context(|| format!("writing {}", path.display()))
    }
}
