//! Shingles, paragraph sketches, article signatures and their comparison.

use xxhash_rust::xxh3::xxh3_64;

/// Words in a shingle. Five is long enough that unrelated articles on one subject (the
/// same names, the same phrases of the day) share almost none, short enough that an
/// edited sentence still leaves most of its shingles.
pub const SHINGLE_WORDS: usize = 5;
/// MinHash values in a signature.
pub const BINS: usize = 64;
/// Values per LSH band.
const ROWS: usize = 2;
/// LSH bands of a signature, from its first `BANDS * ROWS` values (all 64 are compared
/// to verify a candidate). Two rows and 16 bands make a pair with Jaccard similarity 0.4
/// a candidate 93% of the time (1 - (1 - 0.4²)¹⁶), 0.5 99%; a copy with a new first
/// paragraph and a third cut is about there, and one found through another copy of the
/// story needs no direct band. Each band is an index term of its own per article (all
/// but unique, so they weigh on the index like rare words): 32 bands cost a quarter
/// more ingest CPU on the 37.5k archive, 16 about half that.
pub const BANDS: usize = 16;
/// A bin no shingle fell into.
const EMPTY: u32 = u32::MAX;
/// Fewer shingles than this: too little text to call anything a copy of it.
const MIN_SHINGLES: u32 = 8;
/// Estimated share of the shorter article that must be found in the longer one.
const MIN_OVERLAP: f64 = 0.6;
/// Bins that must agree (Jaccard ≥ 0.2): the overlap estimate of a short text against a
/// long one is too noisy below that.
const MIN_EQUAL_BINS: usize = 13;
/// Paragraphs longer than this are not counted as boilerplate (counting costs an index
/// term per paragraph). Longer shared paragraphs (the real archive has 1,800-word photo
/// galleries, subscription forms listing every country, quoted passages) are caught by
/// [`Signature::is_copy_beyond_one_paragraph`] instead.
const MAX_BOILERPLATE_WORDS: u32 = 25;

/// splitmix64's finaliser: a cheap, well-mixing bijection on u64.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hashes of the words of a text: runs of letters and digits, lower-cased. Punctuation,
/// quotes and spacing do not count, so a copy re-typeset by another outlet still matches.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let bytes = text.as_bytes();
    let mut ascii = [0u8; 48];
    let mut other = String::new();
    let mut i = 0;
    // Bytes, not chars: this runs over every article's text at ingest. ASCII is decided
    // byte by byte; only a non-ASCII character is decoded.
    while i < bytes.len() {
        let start = i;
        let mut plain = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                i += 1;
            } else if b < 0x80 {
                break;
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                if !c.is_alphanumeric() {
                    break;
                }
                plain = false;
                i += c.len_utf8();
            }
        }
        if i == start {
            // A separator: skip it (one whole character).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let word = &bytes[start..i];
        let h = if plain && word.len() <= ascii.len() {
            let lower = &mut ascii[..word.len()];
            lower.copy_from_slice(word);
            lower.make_ascii_lowercase();
            xxh3_64(lower)
        } else {
            other.clear();
            other.extend(text[start..i].chars().flat_map(char::to_lowercase));
            xxh3_64(other.as_bytes())
        };
        out.push(h);
    }
    out
}

/// What one paragraph contributes to a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphSketch {
    /// Hash of the paragraph's words: equal for the same paragraph however it is spaced
    /// or punctuated.
    pub key: u64,
    pub words: u32,
    pub shingles: u32,
    /// Smallest shingle hash per bin (one-permutation MinHash), [`EMPTY`] where none fell.
    bins: [u32; BINS],
}

/// The sketch of a paragraph, or `None` when it has no word.
pub fn sketch_paragraph(text: &str) -> Option<ParagraphSketch> {
    let words = word_hashes(text);
    if words.is_empty() {
        return None;
    }
    let key = mix(words
        .iter()
        .fold(0x9e37_79b9_7f4a_7c15, |acc, &w| mix(acc ^ w)));
    let mut bins = [EMPTY; BINS];
    let mut add = |h: u64| {
        // The top bits choose the bin, the low ones are the value: independent bits.
        let bin = (h >> 58) as usize;
        let value = h as u32;
        if value < bins[bin] {
            bins[bin] = value;
        }
    };
    let shingles = if words.len() < SHINGLE_WORDS {
        add(key);
        1
    } else {
        for w in words.windows(SHINGLE_WORDS) {
            // Word hashes are already mixed: rotating them apart keeps their order, one
            // mix makes the shingle's hash.
            add(mix(w[0]
                ^ w[1].rotate_left(13)
                ^ w[2].rotate_left(26)
                ^ w[3].rotate_left(39)
                ^ w[4].rotate_left(52)));
        }
        words.len() - SHINGLE_WORDS + 1
    };
    Some(ParagraphSketch {
        key,
        words: words.len() as u32,
        shingles: shingles as u32,
        bins,
    })
}

/// Words of an article's text that its signature sums up: whole paragraphs from the top
/// until this many words. A copy keeps the start of its story (it is the end that gets
/// cut, and a new first paragraph is one paragraph), so the lead tells copies apart as
/// well as the whole text, at half the cost on the real archive's articles; and the
/// boilerplate at the foot of articles stays out.
pub const LEAD_WORDS: u32 = 400;

/// The sketches of an article's lead: its paragraphs from the top until [`LEAD_WORDS`]
/// words (the paragraph that crosses the mark included).
pub fn sketch_lead<'a>(paragraphs: impl IntoIterator<Item = &'a String>) -> Vec<ParagraphSketch> {
    let mut out = Vec::new();
    let mut words = 0;
    for p in paragraphs {
        if words >= LEAD_WORDS {
            break;
        }
        if let Some(s) = sketch_paragraph(p) {
            words += s.words;
            out.push(s);
        }
    }
    out
}

/// The key of a paragraph as printed by one source: boilerplate is counted per source.
pub fn paragraph_key(source_slug: &str, key: u64) -> u64 {
    mix(xxh3_64(source_slug.as_bytes()) ^ key)
}

/// When a paragraph is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boilerplate {
    /// Articles of one source that must carry a paragraph for it to be boilerplate.
    pub min_articles: u32,
}

impl Default for Boilerplate {
    /// Five: an outlet rarely runs one wire story five times, while its newsletter pitch
    /// and copyright line run under hundreds of articles.
    fn default() -> Boilerplate {
        Boilerplate { min_articles: 5 }
    }
}

impl Boilerplate {
    /// Whether a paragraph of this length could be boilerplate at all (only those need
    /// counting).
    pub fn could_be(&self, sketch: &ParagraphSketch) -> bool {
        sketch.words <= MAX_BOILERPLATE_WORDS
    }

    /// Whether a paragraph that `articles` articles of its source carry is boilerplate.
    pub fn is(&self, sketch: &ParagraphSketch, articles: u32) -> bool {
        self.could_be(sketch) && articles >= self.min_articles
    }
}

/// The MinHash signature of an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Shingles summed up (the size of the set, for the overlap estimate).
    pub shingles: u32,
    values: [u32; BINS],
}

/// Bytes of an encoded signature.
const ENCODED_LEN: usize = 4 + 4 * BINS;

impl Signature {
    /// The signature of the union of some paragraphs' shingles, or `None` when they hold
    /// too little text to compare.
    pub fn of<'a>(paragraphs: impl IntoIterator<Item = &'a ParagraphSketch>) -> Option<Signature> {
        let mut values = [EMPTY; BINS];
        let mut shingles = 0u32;
        for p in paragraphs {
            shingles = shingles.saturating_add(p.shingles);
            for (v, &b) in values.iter_mut().zip(&p.bins) {
                *v = (*v).min(b);
            }
        }
        if shingles < MIN_SHINGLES {
            return None;
        }
        densify(&mut values);
        Some(Signature { shingles, values })
    }

    /// The LSH band hashes: articles sharing one are candidate copies.
    pub fn bands(&self) -> [u64; BANDS] {
        let mut bands = [0; BANDS];
        for (i, (band, rows)) in bands
            .iter_mut()
            .zip(self.values[..BANDS * ROWS].chunks(ROWS))
            .enumerate()
        {
            let both = (u64::from(rows[0]) << 32) | u64::from(rows[1]);
            *band = mix(both ^ mix(i as u64 + 1));
        }
        bands
    }

    fn equal_bins(&self, other: &Signature) -> usize {
        self.values
            .iter()
            .zip(&other.values)
            .filter(|(a, b)| a == b)
            .count()
    }

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        self.equal_bins(other) as f64 / BINS as f64
    }

    /// Estimated share of the smaller shingle set found in the larger one: a copy cut to
    /// half its length is still wholly contained in the original.
    pub fn overlap(&self, other: &Signature) -> f64 {
        let j = self.jaccard(other);
        let (a, b) = (f64::from(self.shingles), f64::from(other.shingles));
        let common = j * (a + b) / (1.0 + j);
        (common / a.min(b)).min(1.0)
    }

    /// Whether the two articles are copies of one text.
    pub fn is_copy(&self, other: &Signature) -> bool {
        self.equal_bins(other) >= MIN_EQUAL_BINS && self.overlap(other) >= MIN_OVERLAP
    }

    /// Whether an article made of `paragraphs` (whose signature is `self`) is a copy of
    /// `other`, and not only because of one paragraph they share: the real archive has
    /// 1,800-word photo galleries and quoted passages that one outlet prints under
    /// articles that are otherwise unrelated, each a little different, so that no
    /// paragraph count catches them. When one paragraph holds most of the agreement, the
    /// article must still be a copy without it.
    pub fn is_copy_beyond_one_paragraph(
        &self,
        paragraphs: &[&ParagraphSketch],
        other: &Signature,
    ) -> bool {
        if !self.is_copy(other) {
            return false;
        }
        if paragraphs.len() < 2 {
            return true;
        }
        let mut owned = vec![0usize; paragraphs.len()];
        let mut agreeing = 0;
        for (b, (&mine, &theirs)) in self.values.iter().zip(&other.values).enumerate() {
            if mine != theirs {
                continue;
            }
            agreeing += 1;
            // Borrowed (densified) values have no owner here; they count for no one.
            if let Some(owner) = paragraphs.iter().position(|p| p.bins[b] == mine) {
                owned[owner] += 1;
            }
        }
        let (top, &most) = owned
            .iter()
            .enumerate()
            .max_by_key(|(_, n)| **n)
            .unwrap_or((0, &0));
        if most * 2 <= agreeing {
            return true;
        }
        let rest = paragraphs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != top)
            .map(|(_, p)| *p);
        // The rest is compared with all of `other`, the shared paragraph included, which
        // dilutes the agreement: half the usual floor of agreeing bins, where an unrelated
        // rest agrees in none or one.
        Signature::of(rest).is_some_and(|r| {
            r.equal_bins(other) >= MIN_EQUAL_BINS / 2 && r.overlap(other) >= MIN_OVERLAP
        })
    }

    /// The signature as stored in the index.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODED_LEN);
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for v in self.values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// A signature read back from the index; `None` if the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != ENCODED_LEN {
            return None;
        }
        let word =
            |i: usize| u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap_or([0; 4]));
        let mut values = [0; BINS];
        for (i, v) in values.iter_mut().enumerate() {
            *v = word(i + 1);
        }
        Some(Signature {
            shingles: word(0),
            values,
        })
    }
}

/// Fills empty bins, each from a pseudo-random other bin chosen by the bin's number alone
/// ("optimal densification", Shrivastava 2017): two articles whose bins are empty in the
/// same places borrow the same values, so the share of equal bins stays an unbiased
/// estimate of the Jaccard similarity even for short texts.
fn densify(values: &mut [u32; BINS]) {
    let original = *values;
    if original.iter().all(|&v| v == EMPTY) {
        return;
    }
    for (i, v) in values.iter_mut().enumerate() {
        if *v != EMPTY {
            continue;
        }
        for attempt in 1u64.. {
            let j = (mix(((i as u64) << 32) | attempt) % BINS as u64) as usize;
            if original[j] != EMPTY {
                *v = original[j];
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Deterministic filler text: `n` words drawn from a large vocabulary by `seed`.
    pub(crate) fn words(seed: u64, n: usize) -> String {
        (0..n)
            .map(|i| format!("w{}", mix(seed.wrapping_mul(1_000_003) ^ i as u64) % 50_000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn signature(paragraphs: &[String]) -> Signature {
        let sketches: Vec<ParagraphSketch> = paragraphs
            .iter()
            .filter_map(|p| sketch_paragraph(p))
            .collect();
        Signature::of(&sketches).expect("enough text")
    }

    fn article(seed: u64, paragraphs: usize) -> Vec<String> {
        (0..paragraphs)
            .map(|i| words(seed * 100 + i as u64, 40))
            .collect()
    }

    #[test]
    fn words_ignore_case_and_punctuation() {
        assert_eq!(
            word_hashes("The U.S. said: “No!”"),
            word_hashes("the u s said no")
        );
        assert_eq!(word_hashes("Ünïcode ÉTÉ"), word_hashes("ünïcode été"));
        assert!(word_hashes(" — ,;").is_empty());
        assert_eq!(
            word_hashes("Trump’s “plan”"),
            word_hashes("trump's \"plan\"")
        );
        assert_eq!(word_hashes("naïve café"), word_hashes("NAÏVE CAFÉ"));
        assert_ne!(word_hashes("naïve"), word_hashes("na ve"));
        let long = "x".repeat(100);
        assert_eq!(word_hashes(&long.to_uppercase()), word_hashes(&long));
        assert_eq!(word_hashes("a1 b2").len(), 2);
    }

    #[test]
    fn paragraph_key_ignores_spacing_not_words() {
        let a = sketch_paragraph("Sign up for Daily Newsletters.").unwrap();
        let b = sketch_paragraph("Sign up  for daily newsletters").unwrap();
        let c = sketch_paragraph("Sign up for weekly newsletters").unwrap();
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, c.key);
        assert_ne!(
            paragraph_key("vox", a.key),
            paragraph_key("the-hill", a.key)
        );
    }

    #[test]
    fn short_paragraphs_are_one_shingle() {
        let s = sketch_paragraph("Three words here").unwrap();
        assert_eq!((s.words, s.shingles), (3, 1));
        let s = sketch_paragraph(&words(1, 12)).unwrap();
        assert_eq!((s.words, s.shingles), (12, 8));
        assert!(sketch_paragraph("").is_none());
    }

    #[test]
    fn the_lead_is_whole_paragraphs_up_to_the_mark() {
        let paragraphs: Vec<String> = (0..20).map(|i| words(i, 70)).collect();
        let lead = sketch_lead(&paragraphs);
        // 70 words a paragraph: the sixth crosses 400.
        assert_eq!(lead.len(), 6);
        assert_eq!(lead[5], sketch_paragraph(&paragraphs[5]).unwrap());
        assert!(sketch_lead(&[String::new(), words(1, 5)]).len() == 1);
    }

    #[test]
    fn too_little_text_has_no_signature() {
        let s = sketch_paragraph("Just a few words in this short line").unwrap();
        assert!(Signature::of([&s]).is_none());
    }

    #[test]
    fn syndicated_variants_are_copies() {
        let original = article(7, 10);
        // New first paragraph, last three paragraphs dropped.
        let mut variant = vec![words(999, 40)];
        variant.extend(original[1..7].iter().cloned());
        let (a, b) = (signature(&original), signature(&variant));
        assert!(
            a.is_copy(&b),
            "overlap {} jaccard {}",
            a.overlap(&b),
            a.jaccard(&b)
        );
        assert!(b.is_copy(&a));
        // Sharing a band is what makes them candidates.
        assert!(a.bands().iter().zip(b.bands()).any(|(x, y)| *x == y));
    }

    fn sketches(paragraphs: &[String]) -> Vec<ParagraphSketch> {
        paragraphs
            .iter()
            .filter_map(|p| sketch_paragraph(p))
            .collect()
    }

    #[test]
    fn one_shared_paragraph_is_not_a_copy() {
        // A long gallery (or a quoted passage) printed under two unrelated articles: the
        // plain estimate is fooled, the test beyond one paragraph is not. Rates over many
        // (fixed) seeds, since the estimates are random by design.
        let (mut fooled, mut copies, mut gallery_copies) = (0, 0, 0);
        for seed in 0..200u64 {
            let gallery = words(9000 + seed, 600);
            let mut a = article(3000 + seed, 4);
            let mut b = article(6000 + seed, 4);
            a.insert(2, gallery.clone());
            b.insert(1, gallery);
            let (sa, sb) = (signature(&a), signature(&b));
            assert!(sa.is_copy(&sb));
            let sk = sketches(&a);
            let refs: Vec<&ParagraphSketch> = sk.iter().collect();
            fooled += usize::from(sa.is_copy_beyond_one_paragraph(&refs, &sb));
            // The same article retyped is still a copy...
            let retyped: Vec<String> = a.iter().map(|p| p.to_uppercase()).collect();
            gallery_copies +=
                usize::from(sa.is_copy_beyond_one_paragraph(&refs, &signature(&retyped)));
            // ... and so is an ordinary syndicated variant.
            let plain = article(12_000 + seed, 8);
            let mut cut = vec![words(15_000 + seed, 40)];
            cut.extend(plain[1..6].iter().cloned());
            let psk = sketches(&plain);
            let prefs: Vec<&ParagraphSketch> = psk.iter().collect();
            copies += usize::from(
                signature(&plain).is_copy_beyond_one_paragraph(&prefs, &signature(&cut)),
            );
        }
        assert!(fooled <= 2, "{fooled} of 200 taken for copies");
        assert!(copies >= 196, "{copies} of 200 variants found");
        // An article that is mostly one huge paragraph is judged on the rest, a noisy
        // estimate: most, not all, are found.
        assert!(gallery_copies >= 180, "{gallery_copies} of 200 found");
        // A one-paragraph article and its copy.
        let one = vec![words(5, 80)];
        let s1 = signature(&one);
        let sk = sketch_paragraph(&one[0]).unwrap();
        assert!(s1.is_copy_beyond_one_paragraph(&[&sk], &s1));
    }

    #[test]
    fn unrelated_articles_are_not_copies() {
        let a = signature(&article(1, 8));
        for seed in 2..40 {
            let b = signature(&article(seed, 8));
            assert!(!a.is_copy(&b));
            assert!(a.jaccard(&b) < 0.1);
        }
    }

    #[test]
    fn shared_names_are_not_a_copy() {
        // A follow-up by the same outlet: the same names throughout, other sentences.
        let names = "Senator Jane Doe of Ohio and Governor John Roe";
        let a: Vec<String> = (0..6)
            .map(|i| format!("{names} {}", words(10 + i, 30)))
            .collect();
        let b: Vec<String> = (0..6)
            .map(|i| format!("{names} {}", words(50 + i, 30)))
            .collect();
        assert!(!signature(&a).is_copy(&signature(&b)));
    }

    #[test]
    fn a_short_text_is_not_a_copy_of_a_long_one_by_chance() {
        let long = signature(&article(3, 60));
        for seed in 100..140 {
            let short = signature(&[words(seed, 20)]);
            assert!(!short.is_copy(&long));
        }
    }

    proptest! {
        #[test]
        fn signature_is_a_union(seed in 0u64..1000, n in 1usize..12, cut in 0usize..12) {
            let paragraphs = article(seed, n);
            let sketches: Vec<ParagraphSketch> =
                paragraphs.iter().filter_map(|p| sketch_paragraph(p)).collect();
            // The order of paragraphs does not matter; the signature is the union's.
            let mut reversed = sketches.clone();
            reversed.reverse();
            prop_assert_eq!(Signature::of(&sketches), Signature::of(&reversed));
            let cut = cut.min(n);
            let whole = Signature::of(&sketches).unwrap();
            prop_assert!(whole.is_copy(&whole));
            prop_assert_eq!(whole.jaccard(&whole), 1.0);
            if let Some(part) = Signature::of(&sketches[..cut]) {
                // Every value of the union is at most the part's (the min over more shingles).
                prop_assert!(whole.overlap(&part) <= 1.0);
            }
        }

        #[test]
        fn bytes_round_trip(seed in 0u64..1000, n in 1usize..6) {
            let s = signature(&article(seed, n));
            prop_assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s.clone()));
            prop_assert!(s.values.iter().all(|&v| v != EMPTY));
        }

        #[test]
        fn any_text_sketches_without_panicking(text in "\\PC{0,200}") {
            if let Some(s) = sketch_paragraph(&text) {
                prop_assert!(s.shingles >= 1 && s.words >= s.shingles);
            }
        }
    }

    #[test]
    fn boilerplate_needs_repeats_and_brevity() {
        let rule = Boilerplate::default();
        let pitch = sketch_paragraph("Sign up for Daily Newsletters Manage Newsletters").unwrap();
        assert!(!rule.is(&pitch, 4));
        assert!(rule.is(&pitch, 5));
        let long = sketch_paragraph(&words(5, 60)).unwrap();
        assert!(!rule.is(&long, 1000));
    }
}
