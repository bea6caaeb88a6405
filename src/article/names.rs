//! Normalised names: source slugs and title keys.

use xxhash_rust::xxh3::xxh3_64;

/// Slug of a source name: ASCII lower-case words joined by dashes (`The Hill` → `the-hill`).
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(fold_char) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "unknown".to_string()
    } else {
        out
    }
}

/// Folds accented Latin letters to ASCII for slugs; drops what has no ASCII form
/// (as NFKD then ASCII would: `Fox’s` → `foxs`).
fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        'à'..='å' | 'À'..='Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è'..='ë' | 'È'..='Ë' => 'e',
        'ì'..='ï' | 'Ì'..='Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => 'o',
        'ù'..='ü' | 'Ù'..='Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        c if c.is_ascii() => c,
        _ => return None,
    };
    Some(folded)
}

/// Key of a title, equal for the same story however it is cased, spaced or punctuated:
/// the hash of its lower-cased alphanumeric words.
pub fn title_key(title: &str) -> u64 {
    let mut norm = String::with_capacity(title.len());
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !norm.is_empty() {
            norm.push(' ');
        }
        norm.extend(word.chars().flat_map(char::to_lowercase));
    }
    xxh3_64(norm.as_bytes())
}

/// A source as shown to people, with the slug it is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplaySource {
    pub name: String,
    pub slug: String,
}

impl DisplaySource {
    pub fn new(name: &str) -> DisplaySource {
        DisplaySource {
            name: name.trim().to_string(),
            slug: slug(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (name, want) in [
            ("The Hill", "the-hill"),
            ("Guest Writer - Right", "guest-writer-right"),
            ("  Reuters ", "reuters"),
            ("Le Monde Diplomatique", "le-monde-diplomatique"),
            ("Société Générale", "societe-generale"),
            ("", "unknown"),
            ("---", "unknown"),
            ("ABC News (Online)", "abc-news-online"),
            ("Fox’s News", "foxs-news"),
        ] {
            assert_eq!(slug(name), want, "{name:?}");
        }
    }

    #[test]
    fn title_keys_ignore_case_space_and_punctuation() {
        assert_eq!(title_key("Trump wins!"), title_key("  trump   WINS"));
        assert_ne!(title_key("Trump wins"), title_key("Trump loses"));
    }
}

/// The source of a file, first that applies: the user's `--source`, the header's prefix,
/// the first folder of the file's path under the indexed root, else `unknown`.
pub fn source_of(
    given: Option<&str>,
    header: Option<&str>,
    relative_path: &std::path::Path,
) -> DisplaySource {
    let folder = || {
        let mut parts = relative_path.components();
        let first = parts.next()?;
        // A file right under the root has no folder.
        parts.next()?;
        first.as_os_str().to_str()
    };
    let name = given
        .filter(|s| !s.trim().is_empty())
        .or(header)
        .or_else(folder)
        .unwrap_or("unknown");
    DisplaySource::new(name)
}

#[cfg(test)]
mod source_tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn source_precedence() {
        let p = Path::new("reuters/001.txt");
        assert_eq!(
            source_of(Some("AP News"), Some("Reuters"), p).slug,
            "ap-news"
        );
        assert_eq!(source_of(None, Some("The Hill"), p).name, "The Hill");
        assert_eq!(source_of(None, None, p).slug, "reuters");
        assert_eq!(source_of(None, None, Path::new("001.txt")).slug, "unknown");
        assert_eq!(source_of(Some(" "), None, Path::new("a/b/c.txt")).slug, "a");
    }
}
