//! One pass over the matching documents: the total count, the best `offset + limit` of
//! them in the asked order (keeping every document tied with the last one, so that ties
//! can then be broken by path), and, when asked, the counts by source and by day.
//!
//! Articles with copies carry a story id (a fast field); the matching members of each
//! story are grouped, so that a story can be shown once, by its best member.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::columnar::StrColumn;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Order of the hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best score first, then newest.
    #[default]
    Relevance,
    /// Newest first (undated last), then best score.
    Newest,
    /// Oldest first (undated last), then best score.
    Oldest,
}

/// What the sort looks at in one matching document.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub score: Score,
    /// Day number of the document's date ([`crate::index::day::Day::number`]).
    pub date: Option<i64>,
    pub addr: DocAddress,
    /// The story, for an article with copies.
    pub story: Option<u64>,
}

/// Compares two candidates by the sort order alone: `Less` when `a` comes first, `Equal`
/// when only the path can tell them apart.
pub fn compare(order: SortOrder, a: &Candidate, b: &Candidate) -> Ordering {
    let by_score = || b.score.total_cmp(&a.score);
    // Dated before undated, whatever the direction.
    let by_date = |newest_first: bool| match (a.date, b.date) {
        (Some(x), Some(y)) if newest_first => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    match order {
        SortOrder::Relevance => by_score().then_with(|| by_date(true)),
        SortOrder::Newest => by_date(true).then_with(by_score),
        SortOrder::Oldest => by_date(false).then_with(by_score),
    }
}

/// The best `keep` candidates seen so far, plus any tied with the worst of them.
#[derive(Debug)]
struct TopK {
    order: SortOrder,
    keep: usize,
    buf: Vec<Candidate>,
    /// The worst kept candidate once the buffer has been cut; worse ones are dropped.
    threshold: Option<Candidate>,
    /// Length at which the buffer is cut next.
    cut_at: usize,
}

impl TopK {
    fn new(order: SortOrder, keep: usize) -> TopK {
        TopK {
            order,
            keep,
            buf: Vec::new(),
            threshold: None,
            cut_at: keep.saturating_mul(2).max(64),
        }
    }

    fn push(&mut self, c: Candidate) {
        if self.keep == 0 {
            return;
        }
        if let Some(t) = &self.threshold {
            if compare(self.order, &c, t) == Ordering::Greater {
                return;
            }
        }
        self.buf.push(c);
        if self.buf.len() >= self.cut_at {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.buf.len() <= self.keep {
            return;
        }
        let order = self.order;
        self.buf
            .select_nth_unstable_by(self.keep - 1, |a, b| compare(order, a, b));
        let worst = self.buf[self.keep - 1];
        let mut i = self.keep;
        while i < self.buf.len() {
            if compare(order, &self.buf[i], &worst) == Ordering::Equal {
                i += 1;
            } else {
                self.buf.swap_remove(i);
            }
        }
        self.threshold = Some(worst);
        // Many ties keep the buffer long: cut less often then, to stay linear.
        self.cut_at = self.keep.saturating_mul(2).max(2 * self.buf.len()).max(64);
    }

    fn into_sorted(mut self) -> Vec<Candidate> {
        self.cut();
        let order = self.order;
        self.buf
            .sort_by(|a, b| compare(order, a, b).then_with(|| a.addr.cmp(&b.addr)));
        self.buf
    }
}

/// The matching members of one story.
#[derive(Debug, Clone)]
pub struct Group {
    pub best: Candidate,
    pub members: Vec<DocAddress>,
}

impl Group {
    fn add(&mut self, order: SortOrder, c: Candidate) {
        if compare(order, &c, &self.best).then_with(|| c.addr.cmp(&self.best.addr))
            == Ordering::Less
        {
            self.best = c;
        }
        self.members.push(c.addr);
    }
}

/// What a pass gives.
#[derive(Debug, Default)]
pub struct Collected {
    pub total: u64,
    /// Matching stories: articles of one story count once.
    pub stories: u64,
    /// Stories with more than one matching member.
    pub groups: HashMap<u64, Group>,
    /// Sorted; at least `keep` long when that many matched, longer on a tie at the end.
    pub candidates: Vec<Candidate>,
    /// Counts by source slug and by day, when facets were asked for.
    pub facets: Option<RawFacets>,
}

impl Collected {
    /// Sorts the candidates again after their scores changed, keeping the best `keep`
    /// (and the ties of the last); a story's best member takes its new score.
    pub fn reorder(&mut self, order: SortOrder, keep: usize) {
        for c in &self.candidates {
            if let Some(group) = c.story.and_then(|s| self.groups.get_mut(&s)) {
                if group.best.addr == c.addr {
                    group.best = *c;
                }
            }
        }
        let mut top = TopK::new(order, keep);
        for c in self.candidates.drain(..) {
            top.push(c);
        }
        self.candidates = top.into_sorted();
    }
}

/// Facet counts before names are looked up.
#[derive(Debug, Default)]
pub struct RawFacets {
    pub sources: HashMap<String, u64>,
    /// Days since the epoch → count.
    pub days: HashMap<i64, u64>,
    pub undated: u64,
    /// The matching articles that belong to a story: (story, source slug, day). Few
    /// articles have copies, so they are listed one by one; a source's or a month's
    /// story count is its count less its repeats of one story.
    pub in_stories: Vec<(u64, String, Option<i64>)>,
}

impl RawFacets {
    fn merge(&mut self, other: RawFacets) {
        for (k, v) in other.sources {
            *self.sources.entry(k).or_default() += v;
        }
        for (k, v) in other.days {
            *self.days.entry(k).or_default() += v;
        }
        self.undated += other.undated;
        self.in_stories.extend(other.in_stories);
    }
}

/// The collector of a search.
pub struct HitCollector {
    pub order: SortOrder,
    /// Show each story once, by its best member.
    pub collapse: bool,
    /// Field name of the story fast field.
    pub story_field: String,
    /// How many of the best candidates to keep (`offset + limit`).
    pub keep: usize,
    pub facets: bool,
    /// Field names of the date and source facet fast fields.
    pub date_field: String,
    pub source_facet_field: String,
}

impl Collector for HitCollector {
    type Fruit = Collected;
    type Child = HitSegmentCollector;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let dates = reader.fast_fields().column_opt::<i64>(&self.date_field)?;
        let facets = if self.facets {
            Some(SegmentFacets::new(
                reader,
                &self.source_facet_field,
                dates.as_ref(),
            )?)
        } else {
            None
        };
        let stories = reader.fast_fields().u64(&self.story_field).ok();
        Ok(HitSegmentCollector {
            segment_ord,
            dates,
            stories,
            groups: HashMap::new(),
            collapse: self.collapse,
            top: TopK::new(self.order, self.keep),
            total: 0,
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut top = TopK::new(self.order, self.keep);
        let mut total = 0;
        let mut facets: Option<RawFacets> = None;
        let mut groups: HashMap<u64, Group> = HashMap::new();
        for fruit in fruits {
            total += fruit.total;
            for c in fruit.candidates {
                top.push(c);
            }
            for (story, g) in fruit.groups {
                match groups.entry(story) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(g);
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let e = e.get_mut();
                        e.add(self.order, g.best);
                        e.members.pop();
                        e.members.extend(g.members);
                    }
                }
            }
            if let Some(f) = fruit.facets {
                facets.get_or_insert_with(RawFacets::default).merge(f);
            }
        }
        if self.facets && facets.is_none() {
            facets = Some(RawFacets::default());
        }
        let mut stories = total;
        for g in groups.values() {
            stories -= g.members.len() as u64 - 1;
            if self.collapse {
                top.push(g.best);
            }
        }
        groups.retain(|_, g| g.members.len() > 1);
        Ok(Collected {
            total,
            stories,
            groups,
            candidates: top.into_sorted(),
            facets,
        })
    }
}

pub struct HitSegmentCollector {
    segment_ord: SegmentOrdinal,
    dates: Option<Column<i64>>,
    stories: Option<Column<u64>>,
    /// Matching members by story, in this segment.
    groups: HashMap<u64, Group>,
    collapse: bool,
    top: TopK,
    total: u64,
    facets: Option<SegmentFacets>,
}

/// Facet counts of one segment, in arrays: a hash per matching document was most of the
/// cost of `--facets`.
struct SegmentFacets {
    /// Source facet ordinals (one per document) and their dictionary.
    sources: Option<StrColumn>,
    /// Count per source facet ordinal of this segment.
    source_counts: Vec<u64>,
    /// First day of `day_counts`.
    first_day: i64,
    /// Count per day from `first_day` on.
    day_counts: Vec<u64>,
    /// Days outside `day_counts` (none unless dates are odd).
    other_days: HashMap<i64, u64>,
    undated: u64,
    /// Matching articles of a story: (story, first source ordinal, day).
    in_stories: Vec<(u64, Option<u64>, Option<i64>)>,
}

/// Longest run of days counted in an array (about 270 years).
const MAX_DAY_SPAN: i64 = 100_000;

impl SegmentFacets {
    fn new(
        reader: &SegmentReader,
        source_field: &str,
        dates: Option<&Column<i64>>,
    ) -> tantivy::Result<SegmentFacets> {
        let sources = reader.fast_fields().str(source_field)?;
        let source_counts = vec![0; sources.as_ref().map_or(0, |s| s.num_terms())];
        let (first_day, span) = match dates {
            Some(c) if c.num_docs() > 0 => {
                let (first, last) = (c.min_value(), c.max_value());
                (first, (last - first + 1).clamp(0, MAX_DAY_SPAN))
            }
            _ => (0, 0),
        };
        Ok(SegmentFacets {
            sources,
            source_counts,
            first_day,
            day_counts: vec![0; span as usize],
            other_days: HashMap::new(),
            undated: 0,
            in_stories: Vec::new(),
        })
    }

    fn count(&mut self, doc: DocId, date: Option<i64>, story: Option<u64>) {
        if let Some(sources) = &self.sources {
            if let Some(story) = story {
                let ord = sources.ords().values_for_doc(doc).next();
                self.in_stories.push((story, ord, date));
            }
            for ord in sources.ords().values_for_doc(doc) {
                if let Some(count) = self.source_counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
        match date {
            Some(day) => {
                match usize::try_from(day - self.first_day)
                    .ok()
                    .and_then(|i| self.day_counts.get_mut(i))
                {
                    Some(count) => *count += 1,
                    None => *self.other_days.entry(day).or_default() += 1,
                }
            }
            None => self.undated += 1,
        }
    }

    fn harvest(self) -> RawFacets {
        let mut sources = HashMap::new();
        let mut slugs: HashMap<u64, String> = HashMap::new();
        if let Some(column) = &self.sources {
            // In ordinal order, one pass over the dictionary: looking each ordinal up on its
            // own decompressed a dictionary block each time.
            let ords: Vec<u64> = (0..self.source_counts.len() as u64)
                .filter(|&ord| self.source_counts[ord as usize] > 0)
                .collect();
            let mut counts = ords
                .iter()
                .map(|&ord| (ord, self.source_counts[ord as usize]));
            let _ = column
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |encoded| {
                    let (ord, count) = counts.next().unwrap_or((0, 0));
                    // `/slug`: the slug is the first (only) path component.
                    let facet =
                        Facet::from_encoded(encoded.to_vec()).unwrap_or_else(|_| Facet::root());
                    if let Some(slug) = facet.to_path().first() {
                        *sources.entry((*slug).to_string()).or_default() += count;
                        slugs.insert(ord, (*slug).to_string());
                    }
                });
        }
        let in_stories = self
            .in_stories
            .into_iter()
            .map(|(story, ord, day)| {
                let slug = ord.and_then(|o| slugs.get(&o)).cloned().unwrap_or_default();
                (story, slug, day)
            })
            .collect();
        let mut days = self.other_days;
        for (i, &count) in self.day_counts.iter().enumerate() {
            if count > 0 {
                *days.entry(self.first_day + i as i64).or_default() += count;
            }
        }
        RawFacets {
            sources,
            days,
            undated: self.undated,
            in_stories,
        }
    }
}

impl SegmentCollector for HitSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let date = self.dates.as_ref().and_then(|c| c.first(doc));
        let story = self.stories.as_ref().and_then(|c| c.first(doc));
        let candidate = Candidate {
            score,
            date,
            addr: DocAddress::new(self.segment_ord, doc),
            story,
        };
        match story {
            Some(s) => {
                if !self.collapse {
                    self.top.push(candidate);
                }
                match self.groups.entry(s) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(Group {
                            best: candidate,
                            members: vec![candidate.addr],
                        });
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        e.get_mut().add(self.top.order, candidate);
                    }
                }
            }
            None => self.top.push(candidate),
        }
        if let Some(f) = &mut self.facets {
            f.count(doc, date, story);
        }
    }

    fn harvest(self) -> Collected {
        Collected {
            total: self.total,
            stories: 0,
            groups: self.groups,
            candidates: self.top.into_sorted(),
            facets: self.facets.map(SegmentFacets::harvest),
        }
    }
}

/// Counts the matching documents by how many free words they hold, read from the score
/// of [`super::query::BuiltQuery::word_count_query`] (one point a word).
pub struct WordCounts {
    pub words: usize,
}

impl Collector for WordCounts {
    /// Documents holding 0, 1, … `words` of the words.
    type Fruit = Vec<u64>;
    type Child = SegmentWordCounts;

    fn for_segment(&self, _: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentWordCounts {
            counts: vec![0; self.words + 1],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut counts = vec![0; self.words + 1];
        for fruit in fruits {
            for (total, count) in counts.iter_mut().zip(fruit) {
                *total += count;
            }
        }
        Ok(counts)
    }
}

pub struct SegmentWordCounts {
    counts: Vec<u64>,
}

impl SegmentCollector for SegmentWordCounts {
    type Fruit = Vec<u64>;

    fn collect(&mut self, _: DocId, score: Score) {
        let words = (score.round().max(0.0) as usize).min(self.counts.len() - 1);
        self.counts[words] += 1;
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(score: f32, date: Option<i64>, doc: u32) -> Candidate {
        Candidate {
            score,
            date,
            addr: DocAddress::new(0, doc),
            story: None,
        }
    }

    #[test]
    fn orders() {
        let a = c(2.0, Some(10), 0);
        let b = c(1.0, Some(20), 1);
        let undated = c(3.0, None, 2);
        assert_eq!(compare(SortOrder::Relevance, &a, &b), Ordering::Less);
        assert_eq!(compare(SortOrder::Newest, &a, &b), Ordering::Greater);
        assert_eq!(compare(SortOrder::Oldest, &a, &b), Ordering::Less);
        // Undated last, whichever way dates go.
        assert_eq!(compare(SortOrder::Newest, &undated, &a), Ordering::Greater);
        assert_eq!(compare(SortOrder::Oldest, &undated, &a), Ordering::Greater);
        // Same score: newer first.
        assert_eq!(
            compare(
                SortOrder::Relevance,
                &c(1.0, Some(5), 0),
                &c(1.0, Some(6), 1)
            ),
            Ordering::Greater
        );
        assert_eq!(
            compare(
                SortOrder::Relevance,
                &c(1.0, Some(5), 0),
                &c(1.0, Some(5), 1)
            ),
            Ordering::Equal
        );
    }

    #[test]
    fn top_k_keeps_the_best_and_the_ties() {
        let mut top = TopK::new(SortOrder::Relevance, 3);
        for i in 0..1000u32 {
            // Scores 0..9 repeated; the best are the 100 docs of score 9.
            top.push(c((i % 10) as f32, Some(0), i));
        }
        let kept = top.into_sorted();
        assert_eq!(kept.len(), 100);
        assert!(kept.iter().all(|k| k.score == 9.0));
        assert!(kept.windows(2).all(|w| w[0].addr < w[1].addr));
    }

    #[test]
    fn top_k_matches_a_full_sort() {
        for keep in [1, 2, 5, 50, 500] {
            let mut top = TopK::new(SortOrder::Newest, keep);
            let mut all = Vec::new();
            for i in 0..700u32 {
                let cand = c(
                    ((i * 7919) % 13) as f32,
                    ((i * 104_729) % 17 != 0).then_some(i64::from((i * 31) % 97)),
                    i,
                );
                top.push(cand);
                all.push(cand);
            }
            all.sort_by(|a, b| compare(SortOrder::Newest, a, b).then_with(|| a.addr.cmp(&b.addr)));
            let kept = top.into_sorted();
            assert!(kept.len() >= keep.min(all.len()));
            let n = keep.min(all.len());
            let key = |c: &Candidate| (c.score.to_bits(), c.date);
            assert_eq!(
                kept[..n].iter().map(key).collect::<Vec<_>>(),
                all[..n].iter().map(key).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn keep_zero_only_counts() {
        let mut top = TopK::new(SortOrder::Relevance, 0);
        top.push(c(1.0, None, 0));
        assert!(top.into_sorted().is_empty());
    }
}
