//! Read → decode → parse, written once for `index`, `parse` and `show`.
//!
//! Nothing in a file is trusted: a FIFO or device is never opened for reading (it would
//! hang, or never end), and a file over the size limit is refused with a reason before
//! its bytes are read, so one huge file cannot take the memory of a run.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::article::{self, Article, SkipReason};

/// The default `--max-size`: over a hundred times the largest article of the real
/// 37.5k-file archive (83 KB).
pub const DEFAULT_MAX_BYTES: u64 = 10 << 20;

/// What a file of an archive holds, parsed.
pub struct ReadArticle {
    pub article: Article,
    /// What decoding and parsing found worth saying.
    pub warnings: Vec<String>,
}

/// The bytes of the regular file at `path`, at most `max_bytes` of them. With
/// `follow_links` false, a symbolic link is refused rather than followed.
pub fn read_bytes(path: &Path, max_bytes: u64, follow_links: bool) -> Result<Vec<u8>, SkipReason> {
    let unreadable = |err: std::io::Error| SkipReason::Unreadable(err.to_string());
    let mut flags = libc::O_NONBLOCK;
    if !follow_links {
        flags |= libc::O_NOFOLLOW;
    }
    // Non-blocking, so that opening a FIFO returns at once; it is then refused below.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|err| {
            if err.raw_os_error() == Some(libc::ELOOP) && !follow_links {
                SkipReason::Link("not followed".to_string())
            } else {
                unreadable(err)
            }
        })?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.file_type().is_file() {
        return Err(SkipReason::NotAFile(kind_of(&meta.file_type())));
    }
    if meta.len() > max_bytes {
        return Err(SkipReason::TooLarge {
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never take more than the limit.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max_bytes {
        return Err(SkipReason::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

/// Decodes and parses a file's bytes.
pub fn parse_bytes(bytes: &[u8]) -> Result<ReadArticle, SkipReason> {
    let decoded = article::decode(bytes)?;
    let article = article::parse_article(&decoded.text);
    let mut warnings = decoded.warnings;
    warnings.extend(article.warnings.iter().cloned());
    Ok(ReadArticle { article, warnings })
}

/// Reads and parses the file at `path` (a path the user gave: links are followed).
pub fn read_article(path: &Path, max_bytes: u64) -> Result<ReadArticle, SkipReason> {
    parse_bytes(&read_bytes(path, max_bytes, true)?)
}

/// What kind of special file a file type is, for the reason of a skip.
pub fn kind_of(t: &fs::FileType) -> &'static str {
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.txt");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_eq!(
            read_bytes(&fifo, 100, true),
            Err(SkipReason::NotAFile("a FIFO"))
        );
        let big = dir.path().join("big.txt");
        fs::write(&big, vec![b'a'; 101]).unwrap();
        assert!(matches!(
            read_bytes(&big, 100, true),
            Err(SkipReason::TooLarge {
                size: 101,
                limit: 100
            })
        ));
        assert_eq!(read_bytes(&big, 101, true).unwrap().len(), 101);
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&big, &link).unwrap();
        assert!(matches!(
            read_bytes(&link, 200, false),
            Err(SkipReason::Link(_))
        ));
        assert!(read_bytes(&link, 200, true).is_ok());
    }
}
