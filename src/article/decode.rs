//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252;
//! CRLF and lone CR become LF. Empty and binary files are refused with a reason.

use std::borrow::Cow;
use std::fmt;

/// Why a file is not indexed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    #[error("empty: the file has no text")]
    Empty,
    #[error("binary: not a text file")]
    Binary,
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// A FIFO, socket or device: never opened (reading a FIFO would wait forever).
    #[error("not a regular file: {0}")]
    NotAFile(&'static str),
    #[error("too large: {size} bytes, over the limit of {limit} bytes (--max-size)")]
    TooLarge { size: u64, limit: u64 },
    #[error("symbolic link: {0}")]
    Link(String),
}

/// A decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with LF line endings.
    pub text: String,
    /// How the bytes were not plain UTF-8 with LF endings, if they were not.
    pub warnings: Vec<String>,
}

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Decodes a file's bytes, or says why it is not a text file.
pub fn decode(bytes: &[u8]) -> Result<Decoded, SkipReason> {
    let mut warnings = Vec::new();
    let text: Cow<'_, str> = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        utf8_or_1252(rest, &mut warnings)
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, had_errors) = enc.decode_with_bom_removal(&bytes[2..]);
        if had_errors {
            return Err(SkipReason::Binary);
        }
        warnings.push("decoded as UTF-16".to_string());
        text
    } else {
        if looks_binary(bytes) {
            return Err(SkipReason::Binary);
        }
        utf8_or_1252(bytes, &mut warnings)
    };
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    if looks_binary_text(&text) {
        return Err(SkipReason::Binary);
    }
    let text = if text.contains('\r') {
        warnings.push("CRLF line endings".to_string());
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.into_owned()
    };
    Ok(Decoded { text, warnings })
}

fn utf8_or_1252<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Cow<'a, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            warnings.push("not UTF-8, decoded as Windows-1252".to_string());
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Cow::Owned(text.into_owned())
        }
    }
}

/// A NUL byte in the first 8 KiB means binary, as for git and ripgrep.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

/// Text with many control characters (other than tab, CR, LF, FF) is not prose.
fn looks_binary_text(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(4096).collect();
    let control = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .count();
    control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        let ok = |b: &[u8]| decode(b).unwrap();
        assert_eq!(ok(b"hi\n").text, "hi\n");
        assert!(ok(b"hi\n").warnings.is_empty());
        assert_eq!(ok(b"\xEF\xBB\xBFhi").text, "hi");
        assert_eq!(ok(b"a\r\nb\r\n").text, "a\nb\n");
        assert_eq!(ok(b"a\r\nb").warnings, vec!["CRLF line endings"]);
        let cp = ok(b"caf\xe9 \x93quoted\x94");
        assert_eq!(cp.text, "café “quoted”");
        assert_eq!(cp.warnings, vec!["not UTF-8, decoded as Windows-1252"]);
        assert_eq!(ok(b"\xFF\xFEh\0i\0").text, "hi");
    }

    #[test]
    fn refuses() {
        assert_eq!(decode(b""), Err(SkipReason::Empty));
        assert_eq!(decode(b"  \n\n \r\n"), Err(SkipReason::Empty));
        assert_eq!(decode(b"ab\0cd"), Err(SkipReason::Binary));
        assert_eq!(
            decode(b"\x01\x02\x03\x04\x05\x06 abc"),
            Err(SkipReason::Binary)
        );
    }
}
