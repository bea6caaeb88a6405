//! Teaser documents: one per title key, rewritten at each commit for every key whose
//! carriers changed. What a teaser document says is derived from the files that carry it
//! now, never from files that are gone: its text is the best text among its carriers
//! (kept from the stored document only while the file it came from is unchanged), its
//! sightings (count, first file, dates) come from the saved state of those files.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, Searcher, TantivyDocument};

use super::codec::{self, StoredDoc, TeaserDoc, TeaserText};
use super::read;
use super::schema::Fields;
use super::state::{Content, FileTable};
use crate::article::{self, DisplaySource};

/// The teaser texts of a parsed file, one per title key.
pub fn teasers_of(parsed: Vec<article::Teaser>) -> Vec<(u64, TeaserText)> {
    let mut teasers: Vec<(u64, TeaserText)> = Vec::with_capacity(parsed.len());
    for t in parsed {
        if t.title.is_empty() {
            continue;
        }
        let key = article::title_key(&t.title);
        let text = TeaserText {
            title: t.title,
            summary: t.summary,
            truncated: t.truncated,
        };
        match teasers.iter_mut().find(|(k, _)| *k == key) {
            Some((_, seen)) => *seen = seen.clone().better(text),
            None => teasers.push((key, text)),
        }
    }
    teasers
}

/// What changed since the last rewrite of the teaser documents.
#[derive(Default)]
pub struct TeaserChanges {
    /// Keys whose document must be rewritten.
    pub affected: HashSet<u64>,
    /// The best text read since the last rewrite, per key, and the file it is from.
    texts: HashMap<u64, (TeaserText, u32)>,
    /// Files read since the last rewrite.
    read: HashSet<u32>,
    /// Files changed or removed since the last rewrite: texts taken from them are void.
    forgotten: HashSet<u32>,
}

impl TeaserChanges {
    pub fn is_empty(&self) -> bool {
        self.affected.is_empty()
    }

    /// File `no` was read and carries these teasers.
    pub fn read(&mut self, no: u32, teasers: Vec<(u64, TeaserText)>) {
        self.read.insert(no);
        for (key, text) in teasers {
            self.affected.insert(key);
            let best = match self.texts.remove(&key) {
                Some((seen, from)) if seen.clone().better(text.clone()) == seen => (seen, from),
                _ => (text, no),
            };
            self.texts.insert(key, best);
        }
    }

    /// File `no`, which carried `keys`, changed or is gone.
    pub fn forget(&mut self, no: u32, keys: &[u64]) {
        self.forgotten.insert(no);
        self.affected.extend(keys);
    }

    /// Rewrites the document of every affected key from the files carrying it now.
    /// Returns the number of teaser documents written.
    pub fn flush(
        &mut self,
        writer: &IndexWriter,
        searcher: &Searcher,
        fields: &Fields,
        files: &FileTable,
        content: &mut Content,
        max_bytes: u64,
    ) -> anyhow::Result<usize> {
        let changes = std::mem::take(self);
        if changes.affected.is_empty() {
            return Ok(0);
        }
        // Where each affected teaser is seen: derived from what the files hold, rather than
        // kept, since a million files carry some fifteen million teasers.
        let mut seen_in: HashMap<u64, Vec<u32>> = HashMap::with_capacity(changes.affected.len());
        for (no, held) in &content.files {
            for key in &held.teasers {
                if changes.affected.contains(key) {
                    seen_in.entry(*key).or_default().push(*no);
                }
            }
        }
        // Keys whose stored text came from a file that changed or went: their text is
        // taken again from every carrier not read in this window.
        let mut reread_keys: HashSet<u64> = HashSet::new();
        let mut wanted: HashSet<u32> = HashSet::new();
        for key in &changes.affected {
            let Some(carriers) = seen_in.get(key) else {
                continue;
            };
            let stored_ok = content
                .teaser_text_from
                .get(key)
                .is_some_and(|from| carriers.contains(from) && !changes.forgotten.contains(from));
            wanted.extend(carriers);
            if !stored_ok {
                reread_keys.insert(*key);
            }
        }
        let paths: HashMap<u32, PathBuf> = files
            .iter()
            .filter(|(_, m)| wanted.contains(&m.no))
            .filter_map(|(slot, m)| Some((m.no, files.path_of(slot)?)))
            .collect();
        let reread = reread_texts(&reread_keys, &seen_in, &changes.read, &paths, max_bytes);
        let mut texts = changes.texts;
        let mut written = 0;
        for key in changes.affected {
            let id = codec::teaser_id(key);
            writer.delete_term(codec::id_term(fields, &id));
            let Some(carriers) = seen_in.get(&key) else {
                content.teaser_text_from.remove(&key);
                continue;
            };
            let mut best: Option<(TeaserText, u32)> = texts.remove(&key);
            let mut offer = |text: TeaserText, from: u32| {
                best = Some(match best.take() {
                    Some((seen, seen_from)) if seen.clone().better(text.clone()) == seen => {
                        (seen, seen_from)
                    }
                    _ => (text, from),
                });
            };
            if reread_keys.contains(&key) {
                for (text, from) in reread.get(&key).into_iter().flatten() {
                    offer(text.clone(), *from);
                }
            } else if let (Some(from), Some(stored)) = (
                content.teaser_text_from.get(&key).copied(),
                stored_teaser(searcher, fields, &id)?,
            ) {
                offer(stored.text, from);
            }
            let Some((text, from)) = best else {
                content.teaser_text_from.remove(&key);
                continue;
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
            let doc = StoredDoc::Teaser(TeaserDoc {
                key,
                text,
                first_path: first_path.to_string_lossy().into_owned(),
                first_source: DisplaySource::new(content.source_name(first_held.source)),
                first_day: first_held.day,
                last_day: carriers.iter().filter_map(day).max(),
                seen_count: carriers.len() as u64,
                folded: content.article_titles.contains_key(&key),
            });
            writer.add_document(doc.to_tantivy(fields))?;
            content.teaser_text_from.insert(key, from);
            written += 1;
        }
        Ok(written)
    }
}

/// The texts of `keys` in their carriers that were not read in this window, read again
/// from disk (each file once). A file that cannot be read now offers nothing; the next
/// run sees it changed.
fn reread_texts(
    keys: &HashSet<u64>,
    seen_in: &HashMap<u64, Vec<u32>>,
    read_now: &HashSet<u32>,
    paths: &HashMap<u32, PathBuf>,
    max_bytes: u64,
) -> HashMap<u64, Vec<(TeaserText, u32)>> {
    let mut files: Vec<u32> = keys
        .iter()
        .filter_map(|k| seen_in.get(k))
        .flatten()
        .filter(|no| !read_now.contains(no))
        .copied()
        .collect();
    files.sort_unstable();
    files.dedup();
    let mut texts: HashMap<u64, Vec<(TeaserText, u32)>> = HashMap::new();
    for no in files {
        let Some(path) = paths.get(&no) else {
            continue;
        };
        let Ok(bytes) = read::read_bytes(path, max_bytes, false) else {
            continue;
        };
        let Ok(parsed) = read::parse_bytes(&bytes) else {
            continue;
        };
        for (key, text) in teasers_of(parsed.article.teasers) {
            if keys.contains(&key) {
                texts.entry(key).or_default().push((text, no));
            }
        }
    }
    texts
}

/// The stored teaser document with `id`, if there is one.
fn stored_teaser(
    searcher: &Searcher,
    fields: &Fields,
    id: &str,
) -> anyhow::Result<Option<TeaserDoc>> {
    let query = TermQuery::new(codec::id_term(fields, id), IndexRecordOption::Basic);
    let Some((_, address)) = searcher
        .search(&query, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(address)?;
    match StoredDoc::from_tantivy(fields, &doc)? {
        StoredDoc::Teaser(t) => Ok(Some(t)),
        StoredDoc::Article(_) => Ok(None),
    }
}
