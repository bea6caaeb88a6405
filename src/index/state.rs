//! What the ingester remembers between runs, beside the index, in two files:
//! `newsfind.files` (every file seen: size, mtime, content hash), which every run reads,
//! and `newsfind.content` (what each file holds: its title key, teasers, date, source),
//! which only a run with something to do reads. So a run over an unchanged archive of a
//! million files loads a few dozen bytes a file and nothing else.
//!
//! Both are saved as `*.pending` before a tantivy commit whose payload names their
//! generation, and renamed after it; so at any crash the state that matches the last
//! commit is on disk, and a state that matches no commit is never trusted.

use std::collections::HashMap;
use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const FILES: &str = "newsfind.files";
const CONTENT: &str = "newsfind.content";
/// Bumped when the saved layout or the meaning of the documents changes.
const FORMAT: u32 = 3;

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
    /// Date of the file, days since the epoch.
    pub day: Option<i32>,
    /// The file's source, as a number in [`Content::sources`].
    pub source: u32,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Files {
    format: u32,
    generation: u64,
    next_no: u32,
    files: HashMap<PathBuf, FileMeta>,
}

/// The content side of the state.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Content {
    format: u32,
    generation: u64,
    /// Indexed files by number.
    pub files: HashMap<u32, FileContent>,
    /// How many indexed articles have each title key.
    pub article_titles: HashMap<u64, u32>,
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
        let Some(files) =
            read_matching::<Files>(dir, FILES, generation, |f| (f.format, f.generation))?
        else {
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
            format: FORMAT,
            generation,
            ..Files::default()
        };
        let content = Content {
            format: FORMAT,
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
            let content = read_matching::<Content>(&self.dir, CONTENT, generation, |c| {
                (c.format, c.generation)
            })?
            .with_context(|| {
                format!(
                    "{} does not match the index: run `newsfind index --rebuild`",
                    self.dir.join(CONTENT).display()
                )
            })?;
            self.content = Some(content);
        }
        Ok(self.content.as_mut().expect("content was just loaded"))
    }

    /// Both sides, for reading together.
    pub fn parts(&self) -> (&HashMap<PathBuf, FileMeta>, Option<&Content>) {
        (&self.files.files, self.content.as_ref())
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
    stamp: impl Fn(&T) -> (u32, u64),
) -> anyhow::Result<Option<T>> {
    for path in [pending(dir, name), dir.join(name)] {
        let file = match fs::File::open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        // A torn or foreign file is not trusted: the caller starts over.
        let Ok(value) = bincode::deserialize_from::<_, T>(BufReader::with_capacity(1 << 20, file))
        else {
            continue;
        };
        if stamp(&value) == (FORMAT, generation) {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn write<T: Serialize>(dir: &Path, name: &str, value: &T) -> anyhow::Result<()> {
    let path = pending(dir, name);
    let tmp = dir.join(format!("{name}.tmp"));
    let write = || -> anyhow::Result<()> {
        let file = fs::File::create(&tmp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        bincode::serialize_into(&mut out, value)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, &path)?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", path.display()))
}
