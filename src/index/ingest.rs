//! The incremental ingest: walk the roots, find what is new, changed or gone, parse in
//! parallel, and write articles and teasers in bounded batches with crash-safe commits.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, UNIX_EPOCH};

use anyhow::Context;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};

use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use super::docs::{self, TeaserSeen, TeaserText};
use super::merge::BoundedMergePolicy;
use super::schema::{self, Fields};
use super::state::{FileContent, FileMeta, State};
use super::stories::{Stories, StoryInput};
use crate::article::{self, DisplaySource};

/// Files parsed in parallel at a time; bounds the text held in memory.
const BATCH: usize = 512;
/// Commit at least this often, so that a killed run keeps most of its work.
const COMMIT_EVERY: Duration = Duration::from_secs(120);
const LOCK_FILE: &str = "newsfind.lock";
/// Largest segment a merge makes, in documents (some 500 MB of index).
const MERGE_MAX_DOCS: u32 = 100_000;

/// What to index and where.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Folders (or single files) to index.
    pub roots: Vec<PathBuf>,
    pub index_dir: PathBuf,
    /// Source of every file, overriding header and folder.
    pub source: Option<String>,
    /// Globs matched against the path under each root.
    pub globs: Vec<String>,
    pub rebuild: bool,
    /// Memory budget of the tantivy writer, in bytes.
    pub heap_bytes: usize,
    pub threads: usize,
    /// Commit after this many files (and at least every two minutes).
    pub commit_every: usize,
}

/// What the ingester tells its caller while it works.
pub enum Event<'a> {
    /// The walk is done: this many files will be read.
    Planned { to_read: usize },
    /// This many more files were read.
    Read(usize),
    /// A file was not indexed.
    Skipped { path: &'a Path, reason: &'a str },
    /// A file was indexed, with something worth saying.
    Warning { path: &'a Path, message: &'a str },
    /// A note about the run as a whole.
    Note(&'a str),
}

/// The figures of a run.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub seen: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Files whose mtime changed but whose content did not (counted in `unchanged`).
    pub touched: usize,
    pub removed: usize,
    pub skipped: BTreeMap<String, usize>,
    /// Articles and teaser documents written in this run.
    pub articles: usize,
    pub teasers: usize,
    /// Documents in the index after the run, by kind.
    pub total_articles: u64,
    pub total_teasers: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl Summary {
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }
}

/// A file found by the walk.
struct Found {
    path: PathBuf,
    /// Path under its root, for the source folder.
    relative: PathBuf,
    size: u64,
    mtime: i64,
}

/// What reading and parsing one file gave.
enum Parsed {
    Indexed(Box<IndexedFile>),
    /// Same bytes as when last indexed.
    Same {
        hash: u64,
    },
    Skipped {
        hash: u64,
        reason: article::SkipReason,
    },
}

struct IndexedFile {
    hash: u64,
    doc: TantivyDocument,
    title_key: u64,
    teasers: Vec<(u64, TeaserText)>,
    day: Option<i32>,
    source: DisplaySource,
    warnings: Vec<String>,
    story: StoryInput,
}

/// Indexes the roots into the index directory.
pub fn ingest(config: &IngestConfig, on: &mut dyn FnMut(Event<'_>)) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let dir = &config.index_dir;
    fs::create_dir_all(dir)
        .with_context(|| format!("creating the index directory {}", dir.display()))?;
    let _lock = lock(dir)?;
    let index = open_or_create(dir, config.rebuild)?;
    let fields = Fields::new(&index.schema())?;
    let generation = index
        .load_metas()?
        .payload
        .and_then(|p| p.parse::<u64>().ok());
    let had_docs = index
        .load_metas()?
        .segments
        .iter()
        .any(|s| s.num_docs() > 0);
    let (state, start_over) = match State::load(dir, generation)? {
        Some(state) if !config.rebuild => (state, false),
        _ => {
            if had_docs && !config.rebuild {
                on(Event::Note(
                    "the index has no saved state that matches it: indexing everything again",
                ));
            }
            (State::empty(dir, generation.unwrap_or(0)), had_docs)
        }
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.max(1))
        .build()?;
    let roots = canonical_roots(&config.roots)?;
    let globs = build_globs(&config.globs)?;
    let walk_problems = Mutex::new(Vec::new());
    let found = pool.install(|| walk(&roots, &globs, dir, &walk_problems));
    let mut summary = Summary {
        seen: found.len(),
        ..Summary::default()
    };
    for (path, reason) in walk_problems.into_inner().unwrap_or_default() {
        *summary.skipped.entry("unreadable".to_string()).or_default() += 1;
        on(Event::Skipped {
            path: &path,
            reason: &reason,
        });
    }

    let mut run = Run {
        config,
        index: &index,
        fields,
        state,
        writer: None,
        reader: None,
        summary,
        texts: HashMap::new(),
        affected: HashSet::new(),
        stories: Stories::new(&index, fields)?,
        since_commit: 0,
        last_commit: Instant::now(),
    };
    if start_over {
        run.writer()?.delete_all_documents()?;
        run.stories.start_over();
    }

    // Plan: unchanged, to read, removed.
    let mut to_read = Vec::new();
    for f in &found {
        match run.state.files().get(&f.path) {
            Some(e) if e.size == f.size && e.mtime == f.mtime => {
                run.summary.unchanged += 1;
                if let Some(reason) = &e.skipped {
                    *run.summary.skipped.entry(skip_label(reason)).or_default() += 1;
                    on(Event::Skipped {
                        path: &f.path,
                        reason,
                    });
                }
            }
            _ => to_read.push(f),
        }
    }
    let present: HashSet<&Path> = found.iter().map(|f| f.path.as_path()).collect();
    let removed: Vec<PathBuf> = run
        .state
        .files()
        .keys()
        .filter(|p| !present.contains(p.as_path()) && roots.iter().any(|r| p.starts_with(&r.path)))
        .cloned()
        .collect();
    drop(present);
    on(Event::Planned {
        to_read: to_read.len(),
    });

    for path in &removed {
        run.remove_file(path)?;
        run.summary.removed += 1;
    }
    for batch in to_read.chunks(BATCH) {
        let parsed: Vec<Parsed> = pool.install(|| {
            batch
                .par_iter()
                .map(|f| {
                    read_and_parse(f, run.state.files(), &run.fields, config.source.as_deref())
                })
                .collect()
        });
        on(Event::Read(batch.len()));
        for parsed in &parsed {
            if let Parsed::Indexed(file) = parsed {
                run.stories.count(&file.story);
            }
        }
        for (&f, parsed) in batch.iter().zip(parsed) {
            run.apply(f, parsed, on)?;
        }
        if run.since_commit >= config.commit_every.max(1)
            || run.last_commit.elapsed() >= COMMIT_EVERY
        {
            run.commit()?;
        }
    }
    if run.writer.is_some() || !removed.is_empty() || run.since_commit > 0 {
        run.commit()?;
    } else if run.summary.touched > 0 {
        // Only mtimes changed: the index stays as it is, the state learns the new mtimes.
        let generation = run.state.generation();
        run.state.save_pending(generation)?;
        run.state.confirm()?;
    }
    if let Some(writer) = run.writer.take() {
        writer.wait_merging_threads()?;
    }
    for (path, why) in std::mem::take(&mut run.stories.stale) {
        on(Event::Note(&format!(
            "{}: its story changed, but it could not be read again to say so: {why}",
            path.display()
        )));
    }
    let (articles, teasers) = count_kinds(&index, &run.fields)?;
    run.summary.total_articles = articles;
    run.summary.total_teasers = teasers;
    run.summary.elapsed = started.elapsed();
    Ok(run.summary)
}

/// The state of one ingest run.
struct Run<'a> {
    config: &'a IngestConfig,
    index: &'a Index,
    fields: Fields,
    state: State,
    writer: Option<IndexWriter>,
    reader: Option<IndexReader>,
    summary: Summary,
    /// Best text seen in this run of each teaser, by key.
    texts: HashMap<u64, TeaserText>,
    /// Teasers whose document must be rewritten at the next commit.
    affected: HashSet<u64>,
    stories: Stories,
    since_commit: usize,
    last_commit: Instant,
}

impl Run<'_> {
    fn writer(&mut self) -> anyhow::Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let threads = self.config.threads.clamp(1, 8);
            // tantivy wants at least 15 MB per indexing thread.
            let heap = self.config.heap_bytes.max((threads * 16) << 20);
            let writer: IndexWriter = self
                .index
                .writer_with_num_threads(threads, heap)
                .context("opening the index writer")?;
            writer.set_merge_policy(Box::new(BoundedMergePolicy {
                max_docs: MERGE_MAX_DOCS,
                min_segments: 8,
            }));
            self.writer = Some(writer);
        }
        Ok(self.writer.as_mut().expect("writer was just set"))
    }

    /// Takes a file's documents out of the index, and what it held out of the state.
    fn forget(&mut self, path: &Path, meta: &FileMeta) -> anyhow::Result<()> {
        if meta.skipped.is_some() {
            return Ok(());
        }
        let id = docs::article_id(&path.to_string_lossy());
        let term = docs::id_term(&self.fields, &id);
        self.writer()?.delete_term(term);
        self.stories.forget(path)?;
        let content = self.state.content()?;
        let Some(old) = content.files.remove(&meta.no) else {
            return Ok(());
        };
        self.affected.extend(&old.teasers);
        if let Some(n) = content.article_titles.get_mut(&old.title_key) {
            *n -= 1;
            if *n == 0 {
                content.article_titles.remove(&old.title_key);
                self.affected.insert(old.title_key);
            }
        }
        Ok(())
    }

    fn remove_file(&mut self, path: &Path) -> anyhow::Result<()> {
        if let Some(meta) = self.state.files_mut().remove(path) {
            self.forget(path, &meta)?;
            self.since_commit += 1;
        }
        Ok(())
    }

    fn apply(
        &mut self,
        f: &Found,
        parsed: Parsed,
        on: &mut dyn FnMut(Event<'_>),
    ) -> anyhow::Result<()> {
        let old = self.state.files().get(&f.path).cloned();
        let hash = match &parsed {
            Parsed::Same { hash } | Parsed::Skipped { hash, .. } => *hash,
            Parsed::Indexed(file) => file.hash,
        };
        if let (Parsed::Same { .. }, Some(old)) = (&parsed, &old) {
            self.summary.unchanged += 1;
            self.summary.touched += 1;
            if let Some(reason) = &old.skipped {
                *self.summary.skipped.entry(skip_label(reason)).or_default() += 1;
                on(Event::Skipped {
                    path: &f.path,
                    reason,
                });
            }
            let meta = self
                .state
                .files_mut()
                .get_mut(&f.path)
                .expect("entry checked above");
            meta.mtime = f.mtime;
            meta.size = f.size;
            return Ok(());
        }
        self.summary.bytes += f.size;
        self.since_commit += 1;
        if old.is_some() {
            self.summary.changed += 1;
        } else {
            self.summary.new += 1;
        }
        let no = match &old {
            Some(old) => {
                self.forget(&f.path, old)?;
                old.no
            }
            None => self.state.next_file_no(),
        };
        let mut meta = FileMeta {
            no,
            size: f.size,
            mtime: f.mtime,
            hash,
            skipped: None,
        };
        match parsed {
            Parsed::Same { .. } => unreachable!("a file with the same hash has an entry"),
            Parsed::Skipped { reason, .. } => {
                let reason = reason.to_string();
                *self.summary.skipped.entry(skip_label(&reason)).or_default() += 1;
                on(Event::Skipped {
                    path: &f.path,
                    reason: &reason,
                });
                meta.skipped = Some(reason);
            }
            Parsed::Indexed(mut file) => {
                let story = self
                    .stories
                    .place(&f.path, &file.source.name, &file.story)?;
                docs::add_story(&mut file.doc, &self.fields, &story);
                for message in &file.warnings {
                    on(Event::Warning {
                        path: &f.path,
                        message,
                    });
                }
                self.writer()?.add_document(file.doc)?;
                self.summary.articles += 1;
                let content = self.state.content()?;
                let count = content.article_titles.entry(file.title_key).or_default();
                *count += 1;
                if *count == 1 {
                    self.affected.insert(file.title_key);
                }
                let mut held = FileContent {
                    title_key: file.title_key,
                    teasers: Vec::with_capacity(file.teasers.len()),
                    day: file.day,
                    source: content.source_number(&file.source.name),
                };
                for (key, text) in file.teasers {
                    self.affected.insert(key);
                    held.teasers.push(key);
                    let best = match self.texts.remove(&key) {
                        Some(seen) => seen.better(text),
                        None => text,
                    };
                    self.texts.insert(key, best);
                }
                content.files.insert(no, held);
            }
        }
        self.state.files_mut().insert(f.path.clone(), meta);
        Ok(())
    }

    /// Rewrites the affected teaser documents, then commits index and state together.
    fn commit(&mut self) -> anyhow::Result<()> {
        self.writer()?;
        let fields = self.fields;
        let writer = self.writer.as_ref().expect("writer was just opened");
        self.stories
            .settle(writer, &mut |path, source| reread(path, source, &fields))?;
        self.flush_teasers()?;
        self.state.content()?;
        let generation = self.state.generation() + 1;
        self.writer()?;
        let writer = self.writer.as_mut().expect("writer was just opened");
        let mut prepared = writer.prepare_commit().context("committing the index")?;
        prepared.set_payload(&generation.to_string());
        self.state.save_pending(generation)?;
        prepared.commit().context("committing the index")?;
        self.state.confirm()?;
        if let Some(reader) = &self.reader {
            reader.reload()?;
        }
        self.stories.committed()?;
        self.since_commit = 0;
        self.last_commit = Instant::now();
        Ok(())
    }

    fn flush_teasers(&mut self) -> anyhow::Result<()> {
        if self.affected.is_empty() {
            return Ok(());
        }
        let affected = std::mem::take(&mut self.affected);
        if self.reader.is_none() {
            self.reader = Some(
                self.index
                    .reader_builder()
                    .reload_policy(ReloadPolicy::Manual)
                    .try_into()?,
            );
        }
        let searcher = self
            .reader
            .as_ref()
            .expect("reader was just set")
            .searcher();
        let fields = self.fields;
        self.state.content()?;
        let writer = self
            .writer
            .as_ref()
            .expect("a writer is open when teasers changed");
        let (files, content) = self.state.parts();
        let content = content.expect("content was just loaded");
        // Where each affected teaser is seen: derived from what the files hold, rather than
        // kept, since a million files carry some fifteen million teasers.
        let mut seen_in: HashMap<u64, Vec<u32>> = HashMap::with_capacity(affected.len());
        for (no, held) in &content.files {
            for key in &held.teasers {
                if affected.contains(key) {
                    seen_in.entry(*key).or_default().push(*no);
                }
            }
        }
        let wanted: HashSet<u32> = seen_in.values().flatten().copied().collect();
        let paths: HashMap<u32, &Path> = files
            .iter()
            .filter(|(_, m)| wanted.contains(&m.no))
            .map(|(p, m)| (m.no, p.as_path()))
            .collect();
        drop(wanted);
        for key in affected {
            let id = docs::teaser_id(key);
            writer.delete_term(docs::id_term(&fields, &id));
            let Some(carriers) = seen_in.get(&key) else {
                continue;
            };
            let stored = stored_teaser(&searcher, &fields, &id)?;
            let text = match (self.texts.remove(&key), stored) {
                (Some(a), Some(b)) => a.better(b),
                (Some(t), None) | (None, Some(t)) => t,
                (None, None) => continue,
            };
            let day = |no: &u32| content.files.get(no).and_then(|c| c.day);
            // First seen: the earliest dated file, then by path; undated files last.
            let Some(first) = carriers
                .iter()
                .min_by_key(|no| (day(no).is_none(), day(no), paths.get(no)))
            else {
                continue;
            };
            let (Some(first_path), Some(first_held)) = (paths.get(first), content.files.get(first))
            else {
                continue;
            };
            let seen = TeaserSeen {
                count: carriers.len() as u64,
                first_path: &first_path.to_string_lossy(),
                first_source: &DisplaySource::new(content.source_name(first_held.source)),
                first_day: first_held.day,
                last_day: carriers.iter().filter_map(day).max(),
                folded: content.article_titles.contains_key(&key),
            };
            writer.add_document(docs::teaser_doc(&fields, key, &text, &seen))?;
            self.summary.teasers += 1;
        }
        self.texts.clear();
        Ok(())
    }
}

/// The text of a teaser as its document holds it, if it has one.
fn stored_teaser(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    id: &str,
) -> anyhow::Result<Option<TeaserText>> {
    let query = TermQuery::new(docs::id_term(fields, id), IndexRecordOption::Basic);
    let Some((_, address)) = searcher
        .search(&query, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    Ok(Some(TeaserText {
        title: text(fields.title),
        summary: text(fields.body),
        truncated: doc
            .get_first(fields.truncated)
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    }))
}

fn read_and_parse(
    f: &Found,
    files: &HashMap<PathBuf, FileMeta>,
    fields: &Fields,
    given_source: Option<&str>,
) -> Parsed {
    let bytes = match fs::read(&f.path) {
        Ok(bytes) => bytes,
        Err(err) => {
            return Parsed::Skipped {
                hash: 0,
                reason: article::SkipReason::Unreadable(err.to_string()),
            }
        }
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if files
        .get(&f.path)
        .is_some_and(|e| e.hash == hash && e.size == bytes.len() as u64)
    {
        return Parsed::Same { hash };
    }
    let decoded = match article::decode(&bytes) {
        Ok(decoded) => decoded,
        Err(reason) => return Parsed::Skipped { hash, reason },
    };
    drop(bytes);
    let parsed = article::parse_article(&decoded.text);
    let source = article::source_of(given_source, parsed.source.as_deref(), &f.relative);
    let path = f.path.to_string_lossy();
    let doc = docs::article_doc(fields, &path, &parsed, &source);
    let mut teasers: Vec<(u64, TeaserText)> = Vec::with_capacity(parsed.teasers.len());
    for t in parsed.teasers {
        if t.title.is_empty() {
            continue;
        }
        let key = article::title_key(&t.title);
        if teasers.iter().any(|(k, _)| *k == key) {
            continue;
        }
        teasers.push((
            key,
            TeaserText {
                title: t.title,
                summary: t.summary,
                truncated: t.truncated,
            },
        ));
    }
    let story = StoryInput::new(&source.slug, &parsed.paragraphs);
    let mut warnings = decoded.warnings;
    warnings.extend(parsed.warnings);
    Parsed::Indexed(Box::new(IndexedFile {
        hash,
        doc,
        title_key: article::title_key(&parsed.title),
        teasers,
        day: parsed.date.map(docs::day_number),
        source,
        warnings,
        story,
    }))
}

/// The article document of a file read again (to write a new story id into it), with
/// the source it had.
fn reread(
    path: &Path,
    source: &str,
    fields: &Fields,
) -> Result<(TantivyDocument, StoryInput), String> {
    let found = Found {
        path: path.to_path_buf(),
        relative: PathBuf::new(),
        size: 0,
        mtime: 0,
    };
    match read_and_parse(&found, &HashMap::new(), fields, Some(source)) {
        Parsed::Indexed(file) => Ok((file.doc, file.story)),
        Parsed::Skipped { reason, .. } => Err(reason.to_string()),
        Parsed::Same { .. } => Err("unchanged".to_string()),
    }
}

/// "unreadable: permission denied" → "unreadable".
fn skip_label(reason: &str) -> String {
    reason
        .split(':')
        .next()
        .unwrap_or(reason)
        .trim()
        .to_string()
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

fn open_or_create(dir: &Path, rebuild: bool) -> anyhow::Result<Index> {
    let meta = dir.join("meta.json");
    if meta.exists() {
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("opening the index in {}", dir.display()))?;
        if index.schema() == schema::build_schema() {
            schema::register_tokenizers(&index);
            return Ok(index);
        }
        if !rebuild {
            anyhow::bail!("the index in {} was made by another version of newsfind: run `newsfind index --rebuild`", dir.display());
        }
        drop(index);
        clear_index_files(dir)?;
    } else if fs::read_dir(dir)?
        .flatten()
        .any(|e| e.file_name() != LOCK_FILE)
    {
        anyhow::bail!(
            "{} is not empty and holds no newsfind index: give another --index",
            dir.display()
        );
    }
    let index = Index::builder()
        .schema(schema::build_schema())
        .settings(schema::index_settings())
        .create_in_dir(dir)
        .with_context(|| format!("creating an index in {}", dir.display()))?;
    schema::register_tokenizers(&index);
    Ok(index)
}

/// Removes an index's files, keeping the lock.
fn clear_index_files(dir: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() != LOCK_FILE && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

struct Root {
    path: PathBuf,
    is_file: bool,
}

fn canonical_roots(roots: &[PathBuf]) -> anyhow::Result<Vec<Root>> {
    roots
        .iter()
        .map(|r| {
            let path =
                fs::canonicalize(r).with_context(|| format!("{}: cannot open", r.display()))?;
            Ok(Root {
                is_file: path.is_file(),
                path,
            })
        })
        .collect()
}

fn build_globs(globs: &[String]) -> anyhow::Result<GlobSet> {
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

/// Lists the files under the roots that match the globs, with their size and mtime.
fn walk(
    roots: &[Root],
    globs: &GlobSet,
    index_dir: &Path,
    problems: &Mutex<Vec<(PathBuf, String)>>,
) -> Vec<Found> {
    let index_dir = fs::canonicalize(index_dir).unwrap_or_else(|_| index_dir.to_path_buf());
    let found = Mutex::new(Vec::new());
    for root in roots {
        if root.is_file {
            match fs::metadata(&root.path) {
                Ok(meta) => found.lock().expect("walk lock").push(Found {
                    relative: root.path.file_name().map(PathBuf::from).unwrap_or_default(),
                    path: root.path.clone(),
                    size: meta.len(),
                    mtime: mtime_nanos(&meta),
                }),
                Err(err) => problems
                    .lock()
                    .expect("walk lock")
                    .push((root.path.clone(), format!("unreadable: {err}"))),
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(&root.path)
            .standard_filters(false)
            .follow_links(true)
            .threads(rayon::current_num_threads())
            .build_parallel();
        walker.run(|| {
            let root = &root.path;
            let found = &found;
            let index_dir = &index_dir;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        let path = err_path(&err).unwrap_or_else(|| root.clone());
                        problems
                            .lock()
                            .expect("walk lock")
                            .push((path, format!("unreadable: {err}")));
                        return ignore::WalkState::Continue;
                    }
                };
                if entry.path() == index_dir {
                    return ignore::WalkState::Skip;
                }
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                if !globs.is_match(relative) {
                    return ignore::WalkState::Continue;
                }
                match entry.metadata() {
                    Ok(meta) => found.lock().expect("walk lock").push(Found {
                        path: entry.path().to_path_buf(),
                        relative: relative.to_path_buf(),
                        size: meta.len(),
                        mtime: mtime_nanos(&meta),
                    }),
                    Err(err) => problems
                        .lock()
                        .expect("walk lock")
                        .push((entry.path().to_path_buf(), format!("unreadable: {err}"))),
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
    found
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

/// Documents in the index by kind.
fn count_kinds(index: &Index, fields: &Fields) -> anyhow::Result<(u64, u64)> {
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let reader: IndexReader = reader;
    let searcher = reader.searcher();
    // Not doc_freq: it counts deleted documents until their segment is merged.
    let count = |kind: &str| -> anyhow::Result<u64> {
        let term = tantivy::Term::from_field_text(fields.kind, kind);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        Ok(searcher.search(&query, &tantivy::collector::Count)? as u64)
    };
    Ok((count(schema::KIND_ARTICLE)?, count(schema::KIND_TEASER)?))
}
