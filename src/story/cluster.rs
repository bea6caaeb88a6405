//! Stories as connected groups of copies.

/// Labels `n` items by connected component of the `pairs` (each a copy relation): items
/// with the same label are one story. A label is the smallest item of its component, so
/// the result does not depend on the order of the pairs.
pub fn components(n: usize, pairs: impl IntoIterator<Item = (usize, usize)>) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in pairs {
        if a >= n || b >= n {
            continue;
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        // The smaller root wins, so the root is the component's smallest item.
        match ra.cmp(&rb) {
            std::cmp::Ordering::Less => parent[rb] = ra,
            std::cmp::Ordering::Greater => parent[ra] = rb,
            std::cmp::Ordering::Equal => {}
        }
    }
    (0..n).map(|x| root(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table() {
        type Case = (usize, &'static [(usize, usize)], &'static [usize]);
        let cases: &[Case] = &[
            (0, &[], &[]),
            (3, &[], &[0, 1, 2]),
            (4, &[(0, 1), (2, 3)], &[0, 0, 2, 2]),
            // A chain is one story: a copy of a copy.
            (4, &[(3, 2), (2, 1), (1, 0)], &[0, 0, 0, 0]),
            (5, &[(4, 1), (3, 1)], &[0, 1, 2, 1, 1]),
            // Out-of-range pairs are ignored.
            (2, &[(0, 9)], &[0, 1]),
        ];
        for (n, pairs, want) in cases {
            assert_eq!(components(*n, pairs.iter().copied()), *want, "{pairs:?}");
        }
    }

    proptest! {
        #[test]
        fn order_of_pairs_does_not_matter(pairs in proptest::collection::vec((0usize..20, 0usize..20), 0..40)) {
            let a = components(20, pairs.iter().copied());
            let b = components(20, pairs.iter().rev().map(|&(x, y)| (y, x)));
            prop_assert_eq!(&a, &b);
            for &(x, y) in &pairs {
                prop_assert_eq!(a[x], a[y]);
            }
            for (i, &label) in a.iter().enumerate() {
                prop_assert!(label <= i);
                prop_assert_eq!(a[label], label);
            }
        }
    }
}
