//! A Bloom filter of 64-bit hashes: "certainly not seen" or "maybe seen".

/// Bits per expected item. Ten bits and [`PROBES`] probes: about 1% false positives.
const BITS_PER_ITEM: usize = 10;
const PROBES: u32 = 7;

/// The hashes added so far, as a Bloom filter: no false negatives, about 1% false
/// positives up to the expected number of items (more beyond it, never wrong answers:
/// a false positive only costs the look-up it was meant to save).
#[derive(Debug, Clone)]
pub struct Seen {
    words: Vec<u64>,
    /// Bits in use (`words` holds them rounded up to whole words).
    bits: u64,
}

impl Seen {
    /// A filter sized for `items` hashes.
    /// At most 2³² bits (about 430 million items).
    pub fn with_capacity(items: usize) -> Seen {
        let bits = items
            .max(1024)
            .saturating_mul(BITS_PER_ITEM)
            .min(u32::MAX as usize) as u64;
        Seen {
            words: vec![0; bits.div_ceil(64) as usize],
            bits,
        }
    }

    /// The bit positions of a hash. The hashes given are already well mixed (band and
    /// paragraph hashes), so two halves of one make the probes (double hashing), each
    /// mapped onto the bits by a multiply and shift (no rounding of the size to a power
    /// of two, which would cost up to twice the memory).
    fn probes(&self, hash: u64) -> impl Iterator<Item = usize> {
        let bits = self.bits;
        let (a, b) = (hash as u32, ((hash >> 32) as u32) | 1);
        (0..PROBES).map(move |i| {
            let x = a.wrapping_add(i.wrapping_mul(b));
            ((u64::from(x) * bits) >> 32) as usize
        })
    }

    pub fn insert(&mut self, hash: u64) {
        let mut bits = [0usize; PROBES as usize];
        for (slot, bit) in bits.iter_mut().zip(self.probes(hash)) {
            *slot = bit;
        }
        for bit in bits {
            self.words[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// False when `hash` was certainly never inserted.
    pub fn maybe(&self, hash: u64) -> bool {
        self.probes(hash)
            .all(|bit| self.words[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes())
    }

    #[test]
    fn no_false_negatives_few_false_positives() {
        let mut seen = Seen::with_capacity(10_000);
        for i in 0..10_000 {
            seen.insert(hash(i));
        }
        assert!((0..10_000).all(|i| seen.maybe(hash(i))));
        let false_positives = (10_000..110_000).filter(|&i| seen.maybe(hash(i))).count();
        // About 1% expected.
        assert!(false_positives < 2_000, "{false_positives} of 100,000");
        assert!(!Seen::with_capacity(0).maybe(hash(1)));
    }

    #[test]
    fn past_capacity_it_only_says_maybe_more_often() {
        let mut seen = Seen::with_capacity(10);
        for i in 0..50_000 {
            seen.insert(hash(i));
        }
        assert!((0..50_000).all(|i| seen.maybe(hash(i))));
    }
}
