//! Stories at ingest: each article written is compared with the candidates its LSH bands
//! find, among the articles written since the last commit (in memory) and in the committed
//! index (its `story_band` terms: no state of its own beside the index), and joins the
//! story of the copies it has. An article that leaves (its file changed or was removed)
//! has its story checked again at the next commit, which splits it when its remaining
//! copies no longer hold together. Story ids live in the article documents, so an
//! article whose story changes is written again (read again from its file) at the commit.
//!
//! Boilerplate is counted per source with the `story_para` terms of the committed index
//! plus the paragraphs seen since the last commit (a batch is counted before any of its
//! articles is placed, so the first articles of a source already know its boilerplate).
//! Only documents that stay count: not the deleted ones a segment keeps until it is
//! merged (the old copy of an article rewritten for its story, the old version of a
//! changed file), nor those this run replaces or removes, so that incremental runs
//! decide as a fresh build of the same files does. What stays order dependent: whether a
//! paragraph is boilerplate is decided when an article is placed, and a signature is not
//! made again when the count crosses the threshold later (the articles of a source placed
//! before its 5th copy of a paragraph keep it; so do the first batches of a fresh build).
//!
//! When the index held nothing at the start of the run (a first ingest, a rebuild), every
//! committed band and paragraph term was written by this run, and a Bloom filter of them
//! ([`Seen`]) says which terms no committed document has: those need no look-up in the
//! index. Most band terms and paragraph keys are unique, so most articles of a first
//! ingest need none at all (the look-ups, 16 bands in every segment per article, were
//! about half of what stories added to a first ingest's CPU).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher};
use tantivy::{TantivyDocument, Term, TERMINATED};

use super::codec::{self as docs, StoryFields};
use super::schema::Fields;
use crate::story::{
    components, paragraph_key, sketch_lead, Boilerplate, ParagraphSketch, Seen, Signature, BANDS,
};

/// Largest story whose copies are compared pair by pair when one of them leaves; a
/// larger one is kept whole (it would take too long, and such stories are wire copy
/// that holds together).
const MAX_SPLIT_CHECK: usize = 300;

/// Paragraph keys an article is expected to count (for sizing [`Written`]'s filter).
const PARAGRAPHS_PER_ARTICLE: usize = 4;

/// The story terms this run wrote, when they are all the committed index holds.
struct Written {
    bands: Seen,
    paragraphs: Seen,
}

impl Written {
    fn new(articles: usize) -> Written {
        Written {
            bands: Seen::with_capacity(articles.saturating_mul(BANDS)),
            paragraphs: Seen::with_capacity(articles.saturating_mul(PARAGRAPHS_PER_ARTICLE)),
        }
    }
}

/// Committed documents that are going away in this run (their file changed or was
/// removed), and the segments that hold them.
#[derive(Default)]
pub struct Gone {
    docs: HashSet<DocAddress>,
    segments: HashSet<u32>,
}

impl Gone {
    /// Adds a document; false if it was there.
    fn insert(&mut self, addr: DocAddress) -> bool {
        self.segments.insert(addr.segment_ord);
        self.docs.insert(addr)
    }

    fn contains(&self, addr: &DocAddress) -> bool {
        self.docs.contains(addr)
    }
}

/// The documents of `searcher` that hold `term`, are not deleted (a segment keeps its
/// deleted documents, and counts them in `doc_freq`, until it is merged) and are not
/// `gone`, counted up to `cap` (past it as a segment without deleted or gone documents
/// adds its whole count at once). Boilerplate is decided so (the rule needs to know no
/// more than whether its threshold is reached), at ingest and in snippets, so that an
/// index equals a fresh build of the same files.
pub fn live_count(searcher: &Searcher, term: &Term, cap: u32, gone: &Gone) -> tantivy::Result<u32> {
    let mut n = 0u32;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        if n >= cap {
            break;
        }
        let ord = ord as u32;
        let inverted = segment.inverted_index(term.field())?;
        let alive = segment.alive_bitset();
        let gone_here = gone.segments.contains(&ord);
        if alive.is_none() && !gone_here {
            n = n.saturating_add(inverted.doc_freq(term)?);
            continue;
        }
        let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED && n < cap {
            if alive.is_none_or(|a| a.is_alive(doc))
                && !(gone_here && gone.contains(&DocAddress::new(ord, doc)))
            {
                n += 1;
            }
            doc = postings.advance();
        }
    }
    Ok(n)
}

/// Whether stories are switched off (`NEWSFIND_NO_STORIES=1` in the environment): no
/// signatures, no copies, no story fields. For measuring what stories cost at ingest
/// (`bench/stories_cpu.sh`) with one build; an index built so has no stories.
pub fn switched_off() -> bool {
    static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OFF.get_or_init(|| std::env::var_os("NEWSFIND_NO_STORIES").is_some_and(|v| v == "1"))
}

/// What the parser threads compute for the story of one article.
#[derive(Debug, Clone, Default)]
pub struct StoryInput {
    /// The paragraphs' sketches, each with its key for its source.
    pub paragraphs: Vec<(u64, ParagraphSketch)>,
}

impl StoryInput {
    pub fn new<'a>(source_slug: &str, paragraphs: impl IntoIterator<Item = &'a String>) -> Self {
        if switched_off() {
            return StoryInput::default();
        }
        let paragraphs = sketch_lead(paragraphs)
            .into_iter()
            .map(|s| (paragraph_key(source_slug, s.key), s))
            .collect();
        StoryInput { paragraphs }
    }

    /// Keys of the paragraphs that could be boilerplate (the only ones counted).
    pub fn countable(&self, rule: &Boilerplate) -> Vec<u64> {
        let mut keys: Vec<u64> = self
            .paragraphs
            .iter()
            .filter(|(_, s)| rule.could_be(s))
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// An article written since the last commit.
struct Member {
    article: u64,
    path: PathBuf,
    /// Display name of its source (to read the file again the same way).
    source: String,
    signature: Option<Signature>,
    /// Its story now, and as its document says.
    story: Option<u64>,
    written: Option<u64>,
}

/// A committed article, as the stories at a commit need it.
struct Stored {
    addr: DocAddress,
    article: u64,
    path: PathBuf,
    source: String,
    signature: Option<Signature>,
    story: Option<u64>,
}

/// One member of a story at a commit.
enum Who {
    Run(usize),
    Committed(Box<Stored>),
}

/// Reads a file again, with the source name it had: its article document and story input.
pub type Reread<'a> = dyn FnMut(&Path, &str) -> Result<(TantivyDocument, StoryInput), String> + 'a;

/// The stories of one ingest run.
pub struct Stories {
    fields: Fields,
    rule: Boilerplate,
    /// The committed index, reloaded after each commit.
    reader: IndexReader,
    committed_docs: u64,
    /// Articles this run may write (sizes [`Written`]).
    expected: usize,
    /// The story terms written by this run, when the index held nothing else.
    written: Option<Written>,
    /// Paragraph counts since the last commit, by source key.
    window: HashMap<u64, u32>,
    members: Vec<Member>,
    /// Band hash → first entry in `band_entries` (member, next entry): a chained table,
    /// one allocation for all.
    band_head: HashMap<u64, u32>,
    band_entries: Vec<(u32, u32)>,
    /// Committed articles whose file changed or went away in this run.
    gone: Gone,
    /// Committed articles without a story that became copies of a story.
    promoted: HashMap<DocAddress, u64>,
    /// Stories merged into another one (by an article that is a copy of both).
    alias: HashMap<u64, u64>,
    /// Stories an article left.
    left: HashSet<u64>,
    /// Story ids given out since the last commit.
    used: HashSet<u64>,
    /// Articles whose story changed but whose file could not be read again.
    pub stale: Vec<(PathBuf, String)>,
}

const NO_ENTRY: u32 = u32::MAX;

impl Stories {
    /// The stories of a run that will write up to about `expected` articles.
    pub fn new(index: &Index, fields: Fields, expected: usize) -> anyhow::Result<Stories> {
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let committed_docs = reader.searcher().num_docs();
        Ok(Stories {
            fields,
            rule: Boilerplate::default(),
            reader,
            committed_docs,
            expected,
            written: (committed_docs == 0).then(|| Written::new(expected)),
            window: HashMap::new(),
            members: Vec::new(),
            band_head: HashMap::new(),
            band_entries: Vec::new(),
            gone: Gone::default(),
            promoted: HashMap::new(),
            alias: HashMap::new(),
            left: HashSet::new(),
            used: HashSet::new(),
            stale: Vec::new(),
        })
    }

    /// Counts the paragraphs of a batch before its articles are placed.
    pub fn count(&mut self, input: &StoryInput) {
        for key in input.countable(&self.rule) {
            *self.window.entry(key).or_default() += 1;
        }
    }

    /// Articles of one source that carry the paragraph of this key.
    fn paragraph_count(&self, searcher: &Searcher, key: u64) -> anyhow::Result<u32> {
        let mut n = self.window.get(&key).copied().unwrap_or(0);
        let maybe_committed = self
            .written
            .as_ref()
            .is_none_or(|w| w.paragraphs.maybe(key));
        if self.committed_docs > 0 && maybe_committed {
            // The rule only asks whether the count reaches its threshold: counting stops
            // there, so a source's boilerplate (under thousands of articles) stays cheap.
            let term = Term::from_field_u64(self.fields.story_para, key);
            let cap = self.rule.min_articles.saturating_sub(n);
            n = n.saturating_add(live_count(searcher, &term, cap, &self.gone)?);
        }
        Ok(n)
    }

    fn resolve(&self, mut story: u64) -> u64 {
        while let Some(&next) = self.alias.get(&story) {
            story = next;
        }
        story
    }

    /// The story of a new article (counted with [`Stories::count`] first), and the fields
    /// its document gets.
    pub fn place(
        &mut self,
        path: &Path,
        source: &str,
        input: &StoryInput,
    ) -> anyhow::Result<StoryFields> {
        let searcher = self.reader.searcher();
        let mut kept: Vec<&ParagraphSketch> = Vec::with_capacity(input.paragraphs.len());
        for (key, sketch) in &input.paragraphs {
            if self.rule.could_be(sketch) {
                let n = self.paragraph_count(&searcher, *key)?;
                if self.rule.is(sketch, n) {
                    continue;
                }
            }
            kept.push(sketch);
        }
        let signature = Signature::of(kept.iter().copied());
        let article = docs::article_hash(path);
        let mut story = None;
        if let Some(sig) = &signature {
            let (in_run, committed) = self.copies(&searcher, sig, &kept)?;
            story = self.join(&searcher, &in_run, &committed)?;
        }
        let no = self.members.len() as u32;
        let paragraphs = input.countable(&self.rule);
        if let Some(w) = &mut self.written {
            for &key in &paragraphs {
                w.paragraphs.insert(key);
            }
        }
        if let Some(sig) = &signature {
            for band in sig.bands() {
                if let Some(w) = &mut self.written {
                    w.bands.insert(band);
                }
                let head = self.band_head.entry(band).or_insert(NO_ENTRY);
                self.band_entries.push((no, *head));
                *head = (self.band_entries.len() - 1) as u32;
            }
        }
        self.members.push(Member {
            article,
            path: path.to_path_buf(),
            source: source.to_string(),
            signature: signature.clone(),
            story,
            written: story,
        });
        Ok(StoryFields {
            story,
            signature,
            paragraphs,
        })
    }

    /// The copies of a signature: members of this run, and committed articles.
    fn copies(
        &self,
        searcher: &Searcher,
        sig: &Signature,
        paragraphs: &[&ParagraphSketch],
    ) -> anyhow::Result<(Vec<usize>, Vec<Stored>)> {
        let is_copy = |other: &Signature| sig.is_copy_beyond_one_paragraph(paragraphs, other);
        let bands = sig.bands();
        let mut in_run = Vec::new();
        for band in bands {
            let mut entry = self.band_head.get(&band).copied().unwrap_or(NO_ENTRY);
            while entry != NO_ENTRY {
                let (member, next) = self.band_entries[entry as usize];
                let member = member as usize;
                if !in_run.contains(&member)
                    && self.members[member].signature.as_ref().is_some_and(is_copy)
                {
                    in_run.push(member);
                }
                entry = next;
            }
        }
        let mut committed = Vec::new();
        let look_up: Vec<u64> = match &self.written {
            Some(w) => bands.into_iter().filter(|&b| w.bands.maybe(b)).collect(),
            None => bands.to_vec(),
        };
        if self.committed_docs > 0 && !look_up.is_empty() {
            let query = BooleanQuery::union(
                look_up
                    .iter()
                    .map(|&b| -> Box<dyn Query> {
                        Box::new(TermQuery::new(
                            Term::from_field_u64(self.fields.story_band, b),
                            IndexRecordOption::Basic,
                        ))
                    })
                    .collect(),
            );
            // A candidate in a story the article already joins needs no reading: it
            // changes nothing. Wire copy makes stories of dozens of articles (the 1M
            // benchmark archive holds every article 27 times), and reading each
            // candidate's stored document was then most of the ingest.
            let mut joined: HashSet<u64> = in_run
                .iter()
                .filter_map(|&m| self.members[m].story)
                .map(|s| self.resolve(s))
                .collect();
            let story_field = searcher.schema().get_field_name(self.fields.story);
            let mut columns: HashMap<u32, Option<tantivy::columnar::Column<u64>>> = HashMap::new();
            for addr in self.live(searcher, &query)? {
                let column = columns.entry(addr.segment_ord).or_insert_with(|| {
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64(story_field)
                        .ok()
                });
                let story = column.as_ref().and_then(|c| c.first(addr.doc_id));
                if story.is_some_and(|s| joined.contains(&self.resolve(s))) {
                    continue;
                }
                let stored = self.stored(searcher, addr)?;
                if stored.signature.as_ref().is_some_and(is_copy) {
                    if let Some(s) = stored.story {
                        joined.insert(self.resolve(s));
                    }
                    committed.push(stored);
                }
            }
        }
        Ok((in_run, committed))
    }

    /// The committed documents `query` matches that this run has not removed, in index
    /// order (so that stories are settled the same way every run).
    fn live(&self, searcher: &Searcher, query: &dyn Query) -> anyhow::Result<Vec<DocAddress>> {
        let mut found: Vec<DocAddress> = searcher
            .search(query, &DocSetCollector)?
            .into_iter()
            .filter(|addr| !self.gone.contains(addr))
            .collect();
        found.sort_unstable();
        Ok(found)
    }

    fn stored(&self, searcher: &Searcher, addr: DocAddress) -> anyhow::Result<Stored> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let f = &self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        Ok(Stored {
            addr,
            article: docs::article_hash_of_id(&text(f.id)).unwrap_or_default(),
            path: PathBuf::from(text(f.path)),
            source: text(f.source_name),
            signature: doc
                .get_first(f.story_sig)
                .and_then(|v| v.as_bytes())
                .and_then(Signature::from_bytes),
            story: doc.get_first(f.story).and_then(|v| v.as_u64()),
        })
    }

    /// The story an article with these copies joins, merging theirs into one.
    fn join(
        &mut self,
        searcher: &Searcher,
        in_run: &[usize],
        committed: &[Stored],
    ) -> anyhow::Result<Option<u64>> {
        if in_run.is_empty() && committed.is_empty() {
            return Ok(None);
        }
        let mut stories: Vec<u64> = in_run
            .iter()
            .filter_map(|&m| self.members[m].story)
            .chain(
                committed
                    .iter()
                    .filter_map(|c| self.promoted.get(&c.addr).copied().or(c.story)),
            )
            .map(|s| self.resolve(s))
            .collect();
        stories.sort_unstable();
        stories.dedup();
        let target = match stories.first() {
            Some(&s) => s,
            None => {
                // A new story, named after its first article (the smallest id, whatever
                // the order of the run), unless that name is taken.
                let founder = in_run
                    .iter()
                    .map(|&m| self.members[m].article)
                    .chain(committed.iter().map(|c| c.article))
                    .min()
                    .unwrap_or_default();
                self.fresh(searcher, founder)?
            }
        };
        for &s in stories.iter().skip(1) {
            self.alias.insert(s, target);
        }
        for &m in in_run {
            if self.members[m].story.is_none() {
                self.members[m].story = Some(target);
            }
        }
        for c in committed {
            if c.story.is_none() {
                self.promoted.entry(c.addr).or_insert(target);
            }
        }
        self.used.insert(target);
        Ok(Some(target))
    }

    /// An unused story id, from `founder` if free.
    fn fresh(&mut self, searcher: &Searcher, founder: u64) -> anyhow::Result<u64> {
        let mut id = founder;
        loop {
            // A deleted document does not hold its id any more (a fresh build would not
            // know it); one going away in this run still does until the commit.
            let term = Term::from_field_u64(self.fields.story, id);
            let taken = self.used.contains(&id)
                || self.alias.contains_key(&id)
                || (self.committed_docs > 0
                    && live_count(searcher, &term, 1, &Gone::default())? > 0);
            if !taken {
                self.used.insert(id);
                return Ok(id);
            }
            id = xxhash_rust::xxh3::xxh3_64(&id.to_le_bytes());
        }
    }

    /// A committed article is going away (its file changed or was removed). Calling it
    /// again for the same file changes nothing.
    pub fn forget(&mut self, path: &Path) -> anyhow::Result<()> {
        if self.committed_docs == 0 {
            return Ok(());
        }
        let searcher = self.reader.searcher();
        let id = docs::article_id(path);
        let query = TermQuery::new(docs::id_term(&self.fields, &id), IndexRecordOption::Basic);
        for addr in searcher.search(&query, &DocSetCollector)? {
            if !self.gone.insert(addr) {
                continue;
            }
            if let Some(s) = self.promoted.get(&addr) {
                self.left.insert(*s);
            }
            if let Some(s) = self.stored(&searcher, addr)?.story {
                self.left.insert(s);
            }
        }
        Ok(())
    }

    /// Before a commit: settles the stories touched since the last one (merged, split,
    /// grown from a single article) and rewrites the articles whose story changed.
    /// `reread` gives the document of a file again, read with the given source name.
    pub fn settle(&mut self, writer: &IndexWriter, reread: &mut Reread<'_>) -> anyhow::Result<()> {
        let searcher = self.reader.searcher();
        let mut roots: Vec<u64> = self
            .left
            .iter()
            .chain(self.alias.keys())
            .chain(self.promoted.values())
            .copied()
            .chain(
                self.members
                    .iter()
                    .filter(|m| m.story != m.written)
                    .filter_map(|m| m.story),
            )
            .map(|s| self.resolve(s))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        let split_check: HashSet<u64> = self.left.iter().map(|&s| self.resolve(s)).collect();
        let mut by_root: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, m) in self.members.iter().enumerate() {
            if let Some(s) = m.story {
                by_root.entry(self.resolve(s)).or_default().push(i);
            }
        }
        for root in roots {
            let mut who: Vec<Who> = by_root
                .remove(&root)
                .unwrap_or_default()
                .into_iter()
                .map(Who::Run)
                .collect();
            let mut seen: HashSet<DocAddress> = HashSet::new();
            let names: Vec<u64> = std::iter::once(root)
                .chain(
                    self.alias
                        .keys()
                        .copied()
                        .filter(|&s| s != root && self.resolve(s) == root),
                )
                .collect();
            if self.committed_docs > 0 {
                for name in names {
                    let query = TermQuery::new(
                        Term::from_field_u64(self.fields.story, name),
                        IndexRecordOption::Basic,
                    );
                    for addr in self.live(&searcher, &query)? {
                        if seen.insert(addr) {
                            who.push(Who::Committed(Box::new(self.stored(&searcher, addr)?)));
                        }
                    }
                }
            }
            let mut promoted: Vec<DocAddress> = self
                .promoted
                .iter()
                .filter(|(_, &s)| self.resolve(s) == root)
                .map(|(a, _)| *a)
                .collect();
            promoted.sort_unstable();
            for addr in promoted {
                if !self.gone.contains(&addr) && seen.insert(addr) {
                    who.push(Who::Committed(Box::new(self.stored(&searcher, addr)?)));
                }
            }
            let labels = self.label(&searcher, root, &who, split_check.contains(&root))?;
            for (w, label) in who.iter().zip(labels) {
                self.write(writer, w, label, reread)?;
            }
        }
        Ok(())
    }

    /// The story of each member of a story after a settle: one story, or, when an article
    /// left it, one per group of copies that still hold together (the largest keeps the
    /// id; an article left alone has none).
    fn label(
        &mut self,
        searcher: &Searcher,
        root: u64,
        who: &[Who],
        check: bool,
    ) -> anyhow::Result<Vec<Option<u64>>> {
        let sig = |w: &Who| match w {
            Who::Run(i) => self.members[*i].signature.clone(),
            Who::Committed(s) => s.signature.clone(),
        };
        let article = |w: &Who| match w {
            Who::Run(i) => self.members[*i].article,
            Who::Committed(s) => s.article,
        };
        let n = who.len();
        let groups = if check && n <= MAX_SPLIT_CHECK {
            let sigs: Vec<Option<Signature>> = who.iter().map(sig).collect();
            let mut pairs = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    if let (Some(x), Some(y)) = (&sigs[a], &sigs[b]) {
                        if x.is_copy(y) {
                            pairs.push((a, b));
                        }
                    }
                }
            }
            components(n, pairs)
        } else {
            vec![0; n]
        };
        let mut sizes: HashMap<usize, (usize, u64)> = HashMap::new();
        for (i, &g) in groups.iter().enumerate() {
            let e = sizes.entry(g).or_insert((0, u64::MAX));
            e.0 += 1;
            e.1 = e.1.min(article(&who[i]));
        }
        let mut order: Vec<(usize, (usize, u64))> = sizes.into_iter().collect();
        order.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        let mut names: HashMap<usize, Option<u64>> = HashMap::new();
        for (k, (g, (size, founder))) in order.into_iter().enumerate() {
            let name = if size < 2 {
                None
            } else if k == 0 {
                Some(root)
            } else {
                Some(self.fresh(searcher, founder)?)
            };
            names.insert(g, name);
        }
        Ok(groups.iter().map(|g| names[g]).collect())
    }

    /// Writes an article again when its document does not carry `label`.
    fn write(
        &mut self,
        writer: &IndexWriter,
        who: &Who,
        label: Option<u64>,
        reread: &mut Reread<'_>,
    ) -> anyhow::Result<()> {
        let (written, path, source, signature) = match who {
            Who::Run(i) => {
                let m = &self.members[*i];
                (
                    m.written,
                    m.path.clone(),
                    m.source.clone(),
                    m.signature.clone(),
                )
            }
            Who::Committed(s) => (
                s.story,
                s.path.clone(),
                s.source.clone(),
                s.signature.clone(),
            ),
        };
        if written == label {
            return Ok(());
        }
        let (mut doc, input) = match reread(&path, &source) {
            Ok(found) => found,
            Err(why) => {
                self.stale.push((path, why));
                return Ok(());
            }
        };
        let fields = StoryFields {
            story: label,
            signature,
            paragraphs: input.countable(&self.rule),
        };
        if let Some(w) = &mut self.written {
            // The file may have changed since it was placed: its paragraphs now.
            for &key in &fields.paragraphs {
                w.paragraphs.insert(key);
            }
        }
        docs::add_story(&mut doc, &self.fields, &fields);
        let id = docs::article_id(&path);
        writer.delete_term(docs::id_term(&self.fields, &id));
        writer.add_document(doc)?;
        if let Who::Run(i) = who {
            self.members[*i].written = label;
        }
        Ok(())
    }

    /// The index is emptied at the start of the run: nothing committed counts.
    pub fn start_over(&mut self) {
        self.committed_docs = 0;
        self.written = Some(Written::new(self.expected));
    }

    /// After a commit: what was written is now in the committed index.
    pub fn committed(&mut self) -> anyhow::Result<()> {
        self.reader.reload()?;
        self.committed_docs = self.reader.searcher().num_docs();
        self.window.clear();
        self.members.clear();
        self.band_head.clear();
        self.band_entries.clear();
        self.gone = Gone::default();
        self.promoted.clear();
        self.alias.clear();
        self.left.clear();
        self.used.clear();
        Ok(())
    }
}
