//! The ingest run: walk, plan, read and parse in parallel, write articles in bounded
//! batches, rewrite the teasers they touch, and commit index and state together.
//!
//! The commit protocol: the state is saved as pending before a tantivy commit whose
//! payload names its generation, and confirmed after it (see `state.rs`); the writer
//! collects the files an interrupted commit left (tantivy reuses their names, and finding
//! one stopped every later run) before it writes anything. So a run killed at any moment
//! leaves the index searchable at its last commit, and the next run finishes the job.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use rayon::prelude::*;
use tantivy::collector::Count;
use tantivy::indexer::NoMergePolicy;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use super::codec::{self, ArticleDoc, StoredDoc, TeaserText};
use super::day::Day;
use super::dir;
use super::merge::BoundedMergePolicy;
use super::plan::plan;
use super::read;
use super::schema::{self, Fields};
use super::state::{FileContent, FileMeta, FileTable, State};
use super::stories::{Stories, StoryInput};
use super::teasers::{teasers_of, TeaserChanges};
use super::walk::{self, Found};
use crate::article;

/// Files parsed in parallel at a time; bounds the text held in memory.
const BATCH: usize = 512;
/// The first commit comes this soon, so that an interrupted first run leaves something
/// searchable; the next ones every [`COMMIT_AT_MOST_EVERY`] (each commit makes segments
/// that merges then rewrite: frequent commits cost CPU).
const FIRST_COMMIT_AFTER: Duration = Duration::from_secs(2);
/// Commit at least this often, so that a killed run keeps most of its work.
const COMMIT_AT_MOST_EVERY: Duration = Duration::from_secs(120);
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
    /// Commit after this many files (and by time, see [`COMMIT_AT_MOST_EVERY`]).
    pub commit_every: usize,
    /// Files larger than this are skipped with a reason.
    pub max_bytes: u64,
    /// Follow symbolic links (off: they are reported and skipped).
    pub follow_links: bool,
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

    fn skip(&mut self, reason: &str) {
        *self.skipped.entry(skip_label(reason)).or_default() += 1;
    }
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
    doc: ArticleDoc,
    story: StoryInput,
    title_key: u64,
    teasers: Vec<(u64, TeaserText)>,
    day: Option<Day>,
    warnings: Vec<String>,
}

/// Indexes the roots into the index directory.
pub fn ingest(config: &IngestConfig, on: &mut dyn FnMut(Event<'_>)) -> anyhow::Result<Summary> {
    let started = Instant::now();
    // A missing or odd root is an error before anything is created.
    let roots = walk::resolve_roots(&config.roots)?;
    let globs = walk::build_globs(&config.globs)?;
    let root_paths: Vec<PathBuf> = roots.iter().map(|r| r.path.clone()).collect();
    let dir = &config.index_dir;
    let (locked, index) = dir::open_for_writing(dir, config.rebuild, &root_paths)?;
    let summary = run(config, &index, &roots, &globs, started, on)
        .map_err(|err| dir::damaged(dir, Some(&index), err))?;
    locked.finish()?;
    Ok(summary)
}

fn run(
    config: &IngestConfig,
    index: &Index,
    roots: &[walk::Root],
    globs: &globset::GlobSet,
    started: Instant,
    on: &mut dyn FnMut(Event<'_>),
) -> anyhow::Result<Summary> {
    let dir = &config.index_dir;
    let fields = Fields::new(&index.schema())?;
    let metas = index.load_metas()?;
    let generation = metas.payload.as_deref().and_then(|p| p.parse::<u64>().ok());
    let had_docs = metas.segments.iter().any(|s| s.num_docs() > 0);
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
    let walked = pool.install(|| walk::walk(roots, globs, dir, config.follow_links, state.files()));
    let mut summary = Summary {
        seen: walked.found.len() + walked.unchanged.len(),
        ..Summary::default()
    };
    for (path, reason) in &walked.passed {
        summary.skip(reason);
        on(Event::Skipped { path, reason });
    }
    let root_paths: Vec<&Path> = roots.iter().map(|r| r.path.as_path()).collect();
    let plan = plan(&walked.found, &walked.unchanged, state.files(), &root_paths);
    summary.unchanged = plan.unchanged;
    on(Event::Planned {
        to_read: plan.to_read.len() + plan.retry.len(),
    });
    // Skipped files are tried again first: those skipped again for the same reason need
    // no writer, so a run over an unchanged archive with a few bad files stays light.
    let mut to_read = plan.to_read;
    for f in plan.retry {
        match (
            read_and_parse(f, state.files(), config),
            state.files().get(&f.path),
        ) {
            (Parsed::Skipped { reason, hash }, Some(old))
                if old.hash == hash
                    && old.skipped.as_deref() == Some(reason.to_string().as_str()) =>
            {
                let reason = reason.to_string();
                summary.unchanged += 1;
                summary.skip(&reason);
                on(Event::Skipped {
                    path: &f.path,
                    reason: &reason,
                });
            }
            _ => to_read.push(f),
        }
        on(Event::Read(1));
    }
    if to_read.is_empty() && plan.removed.is_empty() && !start_over {
        // Nothing to write: no writer (its memory and threads are most of such a run).
        // What a killed run left is removed all the same.
        collect_garbage(index)?;
        let (articles, teasers) = count_kinds(&open_reader(index)?, &fields)?;
        summary.total_articles = articles;
        summary.total_teasers = teasers;
        summary.elapsed = started.elapsed();
        return Ok(summary);
    }

    let writer = open_writer(index, config, &fields, start_over)?;
    let mut run = Run {
        config,
        fields,
        state,
        writer,
        reader: open_reader(index)?,
        summary,
        teasers: TeaserChanges::default(),
        stories: Stories::new(index, fields, to_read.len())?,
        since_commit: 0,
        last_commit: Instant::now(),
        commit_interval: FIRST_COMMIT_AFTER,
        dirty: start_over,
    };
    if start_over {
        run.stories.start_over();
    }
    for path in &plan.removed {
        run.remove_file(path)?;
        run.summary.removed += 1;
    }
    for batch in to_read.chunks(BATCH) {
        let parsed: Vec<Parsed> = pool.install(|| {
            batch
                .par_iter()
                .map(|f| read_and_parse(f, run.state.files(), config))
                .collect()
        });
        on(Event::Read(batch.len()));
        // The old versions of the batch's changed files leave before any of its articles
        // is counted or placed: counted beside their new versions, they could make a
        // paragraph boilerplate that a fresh build of the same files would not.
        for (f, parsed) in batch.iter().zip(&parsed) {
            if matches!(parsed, Parsed::Same { .. }) {
                continue;
            }
            if let Some(old) = run.state.files().get(&f.path).cloned() {
                run.forget(&f.path, &old)?;
            }
        }
        for parsed in &parsed {
            if let Parsed::Indexed(file) = parsed {
                run.stories.count(&file.story);
            }
        }
        for (&f, parsed) in batch.iter().zip(parsed) {
            run.apply(f, parsed, on)?;
        }
        if run.since_commit >= config.commit_every.max(1)
            || run.last_commit.elapsed() >= run.commit_interval
        {
            run.commit()?;
        }
    }
    if run.dirty {
        run.commit()?;
    } else if run.summary.touched > 0 {
        // Only mtimes changed: the index stays as it is, the state learns the new mtimes.
        let generation = run.state.generation();
        run.state.save_pending(generation)?;
        run.state.confirm()?;
    }
    for (path, why) in std::mem::take(&mut run.stories.stale) {
        on(Event::Warning {
            path: &path,
            message: &format!("its story changed, but it could not be read again to say so: {why}"),
        });
    }
    let Run {
        writer,
        reader,
        mut summary,
        ..
    } = run;
    writer.wait_merging_threads()?;
    collect_garbage(index)?;
    reader.reload()?;
    let (articles, teasers) = count_kinds(&reader, &fields)?;
    summary.total_articles = articles;
    summary.total_teasers = teasers;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Removes the files tantivy manages that the last commit does not use: segments that
/// merges finished after the last commit replaced (tantivy collects them only at its
/// next commit, which a run that ends never makes), and what a killed run left.
fn collect_garbage(index: &Index) -> anyhow::Result<()> {
    let metas = index.load_metas()?;
    let mut living = metas.list_segment_files();
    living.insert(PathBuf::from("meta.json"));
    let mut index = index.clone();
    index
        .directory_mut()
        .garbage_collect(|| living)
        .context("removing replaced segments")?;
    Ok(())
}

fn open_reader(index: &Index) -> anyhow::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .context("opening an index reader")
}

/// The writer of a run, with what an interrupted run left collected, the index emptied
/// when the run starts over, and its first operation stamp spent (see below).
fn open_writer(
    index: &Index,
    config: &IngestConfig,
    fields: &Fields,
    start_over: bool,
) -> anyhow::Result<IndexWriter> {
    let threads = config.threads.clamp(1, 8);
    // tantivy wants at least 15 MB per indexing thread.
    let heap = config.heap_bytes.max((threads * 16) << 20);
    let writer: IndexWriter = index
        .writer_with_num_threads(threads, heap)
        .context("opening the index writer")?;
    if fault_armed("committed") {
        // A run that is to die right after a commit starts no merge, so that it dies
        // before every merge it would have started has ended, as a kill can (the next
        // run then starts with the segments that merge would have taken).
        writer.set_merge_policy(Box::new(NoMergePolicy));
    } else {
        writer.set_merge_policy(Box::new(BoundedMergePolicy {
            max_docs: MERGE_MAX_DOCS,
            min_segments: 8,
        }));
    }
    // Files an interrupted commit left behind (delete files, segments) go before anything
    // is written: tantivy would otherwise fail to create them again under the same name.
    writer
        .garbage_collect_files()
        .wait()
        .context("removing what an interrupted run left in the index")?;
    if start_over {
        writer.delete_all_documents()?;
    }
    // tantivy stamps a new writer's first operation with the opstamp of the last commit
    // (and `delete_all_documents` winds the stamps back to it). A merge of committed
    // segments that starts before this run's first commit (there are enough of them when
    // a kill cut the last run's merges short) brings its inputs' deletes up to that
    // opstamp: the inputs whose deletes are already at it skip the operation, the others
    // take it in, and the merged segment goes on from its first input's place in the
    // delete queue, past it. When that operation was the delete of a changed file's old
    // document, both versions stayed in the index. So the first stamp goes to a delete
    // that matches nothing (no document has an empty id).
    writer.delete_term(codec::id_term(fields, ""));
    Ok(writer)
}

/// The state of one ingest run.
struct Run<'a> {
    config: &'a IngestConfig,
    fields: Fields,
    state: State,
    writer: IndexWriter,
    reader: IndexReader,
    summary: Summary,
    teasers: TeaserChanges,
    stories: Stories,
    since_commit: usize,
    last_commit: Instant,
    commit_interval: Duration,
    /// The index has changes to commit.
    dirty: bool,
}

impl Run<'_> {
    /// Takes a file's documents out of the index, and what it held out of the state.
    fn forget(&mut self, path: &Path, meta: &FileMeta) -> anyhow::Result<()> {
        if meta.skipped.is_some() {
            return Ok(());
        }
        self.writer
            .delete_term(codec::id_term(&self.fields, &codec::article_id(path)));
        self.stories.forget(path)?;
        self.dirty = true;
        let content = self.state.content()?;
        let Some(old) = content.files.remove(&meta.no) else {
            return Ok(());
        };
        self.teasers.forget(meta.no, &old.teasers);
        if let Some(n) = content.article_titles.get_mut(&old.title_key) {
            *n -= 1;
            if *n == 0 {
                content.article_titles.remove(&old.title_key);
                self.teasers.affected.insert(old.title_key);
            }
        }
        Ok(())
    }

    fn remove_file(&mut self, path: &Path) -> anyhow::Result<()> {
        if let Some(meta) = self.state.files_mut().remove(path) {
            self.forget(path, &meta)?;
            self.since_commit += 1;
            self.dirty = true;
        }
        Ok(())
    }

    /// Writes one file of a batch, whose old version (if it changed) has already left.
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
            if old.mtime != f.mtime {
                self.summary.touched += 1;
            }
            if let Some(meta) = self.state.files_mut().get_mut(&f.path) {
                meta.mtime = f.mtime;
                meta.size = f.size;
            }
            return Ok(());
        }
        self.summary.bytes += f.size;
        self.since_commit += 1;
        self.dirty = true;
        if old.is_some() {
            self.summary.changed += 1;
        } else {
            self.summary.new += 1;
        }
        // A changed file's old version has left already (see the batch loop in `run`).
        let no = match &old {
            Some(old) => old.no,
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
            // `Same` needs an entry, handled above.
            Parsed::Same { .. } => {}
            Parsed::Skipped { reason, .. } => {
                let reason = reason.to_string();
                self.summary.skip(&reason);
                on(Event::Skipped {
                    path: &f.path,
                    reason: &reason,
                });
                meta.skipped = Some(reason.into());
            }
            Parsed::Indexed(file) => {
                for message in &file.warnings {
                    on(Event::Warning {
                        path: &f.path,
                        message,
                    });
                }
                let source = file.doc.source.name.clone();
                let story = self.stories.place(&f.path, &source, &file.story)?;
                let mut doc = StoredDoc::Article(file.doc).to_tantivy(&self.fields);
                codec::add_story(&mut doc, &self.fields, &story);
                self.writer.add_document(doc)?;
                self.summary.articles += 1;
                let content = self.state.content()?;
                let count = content.article_titles.entry(file.title_key).or_default();
                *count += 1;
                if *count == 1 {
                    self.teasers.affected.insert(file.title_key);
                }
                let held = FileContent {
                    title_key: file.title_key,
                    teasers: file.teasers.iter().map(|(k, _)| *k).collect(),
                    day: file.day,
                    source: content.source_number(&source),
                };
                content.files.insert(no, held);
                self.teasers.read(no, file.teasers);
            }
        }
        self.state.files_mut().insert(&f.path, meta);
        Ok(())
    }

    /// Rewrites the affected teaser documents, then commits index and state together.
    fn commit(&mut self) -> anyhow::Result<()> {
        let (fields, max_bytes) = (self.fields, self.config.max_bytes);
        self.stories.settle(&self.writer, &mut |path, source| {
            reread(path, source, &fields, max_bytes)
        })?;
        if !self.teasers.is_empty() {
            let searcher = self.reader.searcher();
            self.state.content()?;
            let (files, content) = self.state.parts_mut();
            self.summary.teasers += self.teasers.flush(
                &self.writer,
                &searcher,
                &self.fields,
                files,
                content.context("the content state is loaded once teasers change")?,
                self.config.max_bytes,
            )?;
        }
        self.state.content()?;
        let generation = self.state.generation() + 1;
        let mut prepared = self
            .writer
            .prepare_commit()
            .context("committing the index")?;
        prepared.set_payload(&generation.to_string());
        fault_point("prepared");
        self.state.save_pending(generation)?;
        fault_point("state-pending");
        prepared.commit().context("committing the index")?;
        fault_point("committed");
        self.state.confirm()?;
        self.reader.reload()?;
        self.stories.committed()?;
        self.since_commit = 0;
        self.last_commit = Instant::now();
        self.commit_interval = COMMIT_AT_MOST_EVERY;
        self.dirty = false;
        Ok(())
    }
}

/// For the fault-injection tests (`tests/faults.rs`): with `NEWSFIND_FAULT=<point>` in
/// the environment, the process dies at that point of the commit as a `kill -9` would
/// (at `committed`, before any merge ends: such a run starts none, see [`open_writer`]).
fn fault_point(point: &str) {
    if fault_armed(point) {
        std::process::abort();
    }
}

/// Whether the process is to die at `point` (see [`fault_point`]).
fn fault_armed(point: &str) -> bool {
    std::env::var_os("NEWSFIND_FAULT").is_some_and(|v| v == point)
}

fn read_and_parse(f: &Found, files: &FileTable, config: &IngestConfig) -> Parsed {
    let bytes = match read::read_bytes(&f.path, config.max_bytes, config.follow_links) {
        Ok(bytes) => bytes,
        Err(reason) => return Parsed::Skipped { hash: 0, reason },
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if files
        .get(&f.path)
        .is_some_and(|e| e.hash == hash && e.size == bytes.len() as u64 && e.skipped.is_none())
    {
        return Parsed::Same { hash };
    }
    let parsed = match read::parse_bytes(&bytes) {
        Ok(parsed) => parsed,
        Err(reason) => return Parsed::Skipped { hash, reason },
    };
    drop(bytes);
    let mut warnings = parsed.warnings;
    let article = parsed.article;
    if let Some(date) = article.date {
        if Day::from_date(date).is_none() {
            warnings.push(format!(
                "header date {date} is outside 0001-01-01..9999-12-31: undated"
            ));
        }
    }
    let source = article::source_of(
        config.source.as_deref(),
        article.source.as_deref(),
        f.relative(),
    );
    let story = StoryInput::new(&source.slug, &article.paragraphs);
    let doc = ArticleDoc::new(&f.path, &article, source);
    Parsed::Indexed(Box::new(IndexedFile {
        hash,
        story,
        title_key: article::title_key(&article.title),
        teasers: teasers_of(article.teasers),
        day: doc.day,
        doc,
        warnings,
    }))
}

/// The article document of a file read again (to write a new story id into it), with
/// the source it had, and what its story is made of.
fn reread(
    path: &Path,
    source: &str,
    fields: &Fields,
    max_bytes: u64,
) -> Result<(TantivyDocument, StoryInput), String> {
    let read = read::read_article(path, max_bytes).map_err(|reason| reason.to_string())?;
    let source = article::DisplaySource::new(source);
    let story = StoryInput::new(&source.slug, &read.article.paragraphs);
    let doc = ArticleDoc::new(path, &read.article, source);
    Ok((StoredDoc::Article(doc).to_tantivy(fields), story))
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

/// Documents in the index by kind.
fn count_kinds(reader: &IndexReader, fields: &Fields) -> anyhow::Result<(u64, u64)> {
    let searcher = reader.searcher();
    // Not doc_freq: it counts deleted documents until their segment is merged.
    let count = |kind: &str| -> anyhow::Result<u64> {
        let term = tantivy::Term::from_field_text(fields.kind, kind);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        Ok(searcher.search(&query, &Count)? as u64)
    };
    Ok((count(schema::KIND_ARTICLE)?, count(schema::KIND_TEASER)?))
}
