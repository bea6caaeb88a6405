//! The files the state knows, by path, compactly: a million paths share some ten thousand
//! folders, so each folder is kept once and each file as its folder's number and its
//! name's bytes in one buffer for all, with its [`FileMeta`] in one vector. A `PathBuf`
//! key per file in a `HashMap` took four times the memory (most of an unchanged run's).
//!
//! On disk (inside `newsfind.files`) the table is the folders, sorted, each with its
//! files: written and read as a stream, never held twice.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use hashbrown::HashTable;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One indexed (or skipped) file, as the walk compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    /// Number of the file in the content state.
    pub no: u32,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime: i64,
    /// xxh3 of the file's bytes.
    pub hash: u64,
    /// Why the file is not in the index, when it is not.
    pub skipped: Option<Box<str>>,
}

/// Where a file is in the table (stable until the table is saved and loaded again).
pub type Slot = usize;

#[derive(Debug)]
struct Entry {
    name_at: usize,
    name_len: u32,
    /// [`GONE`] once removed.
    folder: u32,
    meta: FileMeta,
}

const GONE: u32 = u32::MAX;

#[derive(Debug, Default)]
pub struct FileTable {
    folders: Vec<Box<[u8]>>,
    folder_no: HashMap<Box<[u8]>, u32>,
    names: Vec<u8>,
    entries: Vec<Entry>,
    /// Slots by the hash of (folder, name).
    index: HashTable<u32>,
}

/// A path as folder bytes and name bytes.
fn split(path: &Path) -> (&[u8], &[u8]) {
    let bytes = path.as_os_str().as_bytes();
    match bytes.iter().rposition(|&b| b == b'/') {
        // As `Path::parent` has it: "/x" is in "/", "x" in "".
        Some(0) => (&bytes[..1], &bytes[1..]),
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (&bytes[..0], bytes),
    }
}

fn hash(folder: u32, name: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(name, u64::from(folder))
}

impl FileTable {
    fn name(&self, e: &Entry) -> &[u8] {
        &self.names[e.name_at..e.name_at + e.name_len as usize]
    }

    fn find_in(&self, folder: u32, name: &[u8]) -> Option<Slot> {
        self.index
            .find(hash(folder, name), |&slot| {
                let e = &self.entries[slot as usize];
                e.folder == folder && self.name(e) == name
            })
            .map(|&slot| slot as Slot)
    }

    /// The slot of a known file.
    pub fn find(&self, path: &Path) -> Option<Slot> {
        let (folder, name) = split(path);
        let folder = *self.folder_no.get(folder)?;
        self.find_in(folder, name)
    }

    pub fn get(&self, path: &Path) -> Option<&FileMeta> {
        self.find(path).map(|slot| &self.entries[slot].meta)
    }

    pub fn get_mut(&mut self, path: &Path) -> Option<&mut FileMeta> {
        self.find(path).map(|slot| &mut self.entries[slot].meta)
    }

    /// The meta of a live slot.
    pub fn meta(&self, slot: Slot) -> &FileMeta {
        &self.entries[slot].meta
    }

    /// Slots ever given out (removed ones included): a bound for per-slot marks.
    pub fn slots(&self) -> usize {
        self.entries.len()
    }

    /// The path of a live slot.
    pub fn path_of(&self, slot: Slot) -> Option<PathBuf> {
        let e = self.entries.get(slot).filter(|e| e.folder != GONE)?;
        let mut bytes = self.folders[e.folder as usize].to_vec();
        if !bytes.is_empty() && !bytes.ends_with(b"/") {
            bytes.push(b'/');
        }
        bytes.extend_from_slice(self.name(e));
        Some(PathBuf::from(OsStr::from_bytes(&bytes)))
    }

    /// Live slots with their meta.
    pub fn iter(&self) -> impl Iterator<Item = (Slot, &FileMeta)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.folder != GONE)
            .map(|(slot, e)| (slot, &e.meta))
    }

    fn folder(&mut self, folder: &[u8]) -> u32 {
        if let Some(&no) = self.folder_no.get(folder) {
            return no;
        }
        let no = u32::try_from(self.folders.len()).expect("fewer than 4 billion folders");
        self.folders.push(folder.into());
        self.folder_no.insert(folder.into(), no);
        no
    }

    /// Sets the meta of a file, known or not.
    pub fn insert(&mut self, path: &Path, meta: FileMeta) {
        let (folder, name) = split(path);
        let folder = self.folder(folder);
        self.insert_in(folder, name, meta);
    }

    fn insert_in(&mut self, folder: u32, name: &[u8], meta: FileMeta) {
        if let Some(slot) = self.find_in(folder, name) {
            self.entries[slot].meta = meta;
            return;
        }
        let slot = u32::try_from(self.entries.len()).expect("fewer than 4 billion files");
        let name_at = self.names.len();
        self.names.extend_from_slice(name);
        self.entries.push(Entry {
            name_at,
            name_len: name.len() as u32,
            folder,
            meta,
        });
        let entries = &self.entries;
        let names = &self.names;
        self.index.insert_unique(hash(folder, name), slot, |&s| {
            let e = &entries[s as usize];
            hash(e.folder, &names[e.name_at..e.name_at + e.name_len as usize])
        });
    }

    /// Forgets a file, giving its meta back.
    pub fn remove(&mut self, path: &Path) -> Option<FileMeta> {
        let (folder, name) = split(path);
        let folder = *self.folder_no.get(folder)?;
        let entries = &self.entries;
        let names = &self.names;
        let found = self.index.find_entry(hash(folder, name), |&slot| {
            let e = &entries[slot as usize];
            e.folder == folder && &names[e.name_at..e.name_at + e.name_len as usize] == name
        });
        let (slot, _) = found.ok()?.remove();
        let e = &mut self.entries[slot as usize];
        e.folder = GONE;
        // The name's bytes stay in the buffer until the table is saved and loaded again.
        Some(std::mem::replace(
            &mut e.meta,
            FileMeta {
                no: 0,
                size: 0,
                mtime: 0,
                hash: 0,
                skipped: None,
            },
        ))
    }

    /// Live slots by folder then name, grouped by folder: the order on disk.
    fn sorted_groups(&self) -> Vec<Vec<u32>> {
        let mut folders: Vec<u32> = (0..self.folders.len() as u32).collect();
        folders.sort_unstable_by(|&a, &b| self.folders[a as usize].cmp(&self.folders[b as usize]));
        let mut rank = vec![0u32; self.folders.len()];
        for (r, &f) in folders.iter().enumerate() {
            rank[f as usize] = r as u32;
        }
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); self.folders.len()];
        for (slot, e) in self.entries.iter().enumerate() {
            if e.folder != GONE {
                groups[rank[e.folder as usize] as usize].push(slot as u32);
            }
        }
        groups.retain(|g| !g.is_empty());
        for g in &mut groups {
            g.sort_unstable_by(|&a, &b| {
                self.name(&self.entries[a as usize])
                    .cmp(self.name(&self.entries[b as usize]))
            });
        }
        groups
    }
}

impl<P: AsRef<Path>> FromIterator<(P, FileMeta)> for FileTable {
    fn from_iter<I: IntoIterator<Item = (P, FileMeta)>>(iter: I) -> FileTable {
        let mut table = FileTable::default();
        for (path, meta) in iter {
            table.insert(path.as_ref(), meta);
        }
        table
    }
}

/// One folder and its files, as serialised.
struct Group<'a>(&'a FileTable, &'a [u32]);
struct Names<'a>(&'a FileTable, &'a [u32]);

impl Serialize for FileTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let groups = self.sorted_groups();
        let mut seq = s.serialize_seq(Some(groups.len()))?;
        for g in &groups {
            seq.serialize_element(&Group(self, g))?;
        }
        seq.end()
    }
}

impl Serialize for Group<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let folder = self.0.entries[self.1[0] as usize].folder;
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.0.folders[folder as usize][..])?;
        t.serialize_element(&Names(self.0, self.1))?;
        t.end()
    }
}

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for &slot in self.1 {
            let e = &self.0.entries[slot as usize];
            seq.serialize_element(&(self.0.name(e), &e.meta))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for FileTable {
    /// Fills the table straight from the folders on disk, with no copy of them between.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FileTable, D::Error> {
        struct Folders;
        struct Folder<'t>(&'t mut FileTable);
        struct InFolder<'t>(&'t mut FileTable, u32);

        impl<'de> Visitor<'de> for Folders {
            type Value = FileTable;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("folders of files")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FileTable, A::Error> {
                let mut table = FileTable::default();
                while seq.next_element_seed(Folder(&mut table))?.is_some() {}
                table.entries.shrink_to_fit();
                table.names.shrink_to_fit();
                Ok(table)
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
                let missing = || serde::de::Error::custom("a folder without its files");
                let folder: Vec<u8> = seq.next_element()?.ok_or_else(missing)?;
                let no = self.0.folder(&folder);
                seq.next_element_seed(InFolder(self.0, no))?
                    .ok_or_else(missing)
            }
        }
        impl<'de> DeserializeSeed<'de> for InFolder<'_> {
            type Value = ();
            fn deserialize<D2: Deserializer<'de>>(self, d: D2) -> Result<(), D2::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> Visitor<'de> for InFolder<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("file names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some((name, meta)) = seq.next_element::<(Vec<u8>, FileMeta)>()? {
                    self.0.insert_in(self.1, &name, meta);
                }
                Ok(())
            }
        }
        d.deserialize_seq(Folders)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(no: u32) -> FileMeta {
        FileMeta {
            no,
            size: 1,
            mtime: 2,
            hash: 3,
            skipped: None,
        }
    }

    #[test]
    fn keeps_paths_by_folder() {
        let mut t = FileTable::default();
        let odd = PathBuf::from(OsStr::from_bytes(b"/archive/caf\xe9/a.txt"));
        for (no, p) in ["/a/x.txt", "/a/b/x.txt", "/x.txt", "rel.txt"]
            .iter()
            .map(PathBuf::from)
            .chain([odd.clone()])
            .enumerate()
        {
            t.insert(&p, meta(no as u32));
        }
        assert_eq!(t.iter().count(), 5);
        assert_eq!(t.get(Path::new("/a/b/x.txt")).unwrap().no, 1);
        assert_eq!(t.get(&odd).unwrap().no, 4);
        assert!(t.get(Path::new("/a/y.txt")).is_none());
        t.insert(Path::new("/a/x.txt"), meta(9));
        assert_eq!(t.iter().count(), 5);
        assert_eq!(t.remove(Path::new("/a/x.txt")).unwrap().no, 9);
        assert!(t.remove(Path::new("/a/x.txt")).is_none());
        assert_eq!(t.iter().count(), 4);

        let bytes = bincode::serialize(&t).unwrap();
        let back: FileTable = bincode::deserialize(&bytes).unwrap();
        assert_eq!(back.iter().count(), 4);
        let mut paths: Vec<PathBuf> = back
            .iter()
            .map(|(slot, _)| back.path_of(slot).unwrap())
            .collect();
        paths.sort();
        let mut want: Vec<PathBuf> = ["/a/b/x.txt", "/x.txt", "rel.txt"]
            .iter()
            .map(PathBuf::from)
            .chain([odd.clone()])
            .collect();
        want.sort();
        assert_eq!(paths, want);
        assert_eq!(back.get(&odd).unwrap().no, 4);
    }
}
