//! The copies of a story as listed: under a hit, beside the article `similar` starts
//! from, under a shown article. Read from their stored documents when the output prints
//! them whole (JSON, `show`), else only their source and date, from the fast fields: a
//! text listing names only the copies' sources, and reading a copy's stored document
//! decompresses a 64 KiB block of the store for it alone (at 1M articles of ~27 copies
//! each, ~250 blocks a `similar`, most of its time).

use std::collections::HashMap;

use chrono::NaiveDate;
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, Searcher, SegmentOrdinal, TantivyDocument};

use super::SearchIndex;
use crate::index::codec::{slug_of_source_facet, StoredDoc};
use crate::index::day::Day;

/// Another article of the same story. Read without its details (see [`CopyReader`]),
/// only `date` and `source_slug` are filled in; `id`, `title`, `source` and `path` are
/// empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub id: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    pub source: String,
    pub source_slug: String,
    pub path: String,
}

/// Reads copies, whole or by source and date only, for one search.
pub(super) struct CopyReader<'a> {
    index: &'a SearchIndex,
    searcher: &'a Searcher,
    /// Read each copy's stored document (else its source and date from the fast fields).
    details: bool,
    /// The fast fields of each segment read so far.
    segments: HashMap<SegmentOrdinal, Columns>,
}

/// One segment's date and source columns.
struct Columns {
    dates: Option<Column<i64>>,
    sources: Option<StrColumn>,
    /// The slug of each source ordinal, decoded in one pass over the column's dictionary
    /// when first needed: each lookup of one ordinal decompressed a dictionary block.
    slugs: Option<Vec<String>>,
}

impl<'a> CopyReader<'a> {
    pub fn new(index: &'a SearchIndex, searcher: &'a Searcher, details: bool) -> CopyReader<'a> {
        CopyReader {
            index,
            searcher,
            details,
            segments: HashMap::new(),
        }
    }

    /// The copy at `addr` (an article).
    pub fn read(&mut self, addr: DocAddress) -> anyhow::Result<Copy> {
        if self.details {
            let doc: TantivyDocument = self.searcher.doc(addr)?;
            return Ok(self.index.copy_of(&doc));
        }
        let columns = match self.segments.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let fast = self.searcher.segment_reader(addr.segment_ord).fast_fields();
                let schema = self.searcher.schema();
                e.insert(Columns {
                    dates: fast.column_opt::<i64>(schema.get_field_name(self.index.fields.date))?,
                    sources: fast.str(schema.get_field_name(self.index.fields.source_facet))?,
                    slugs: None,
                })
            }
        };
        let date = columns
            .dates
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
            .and_then(Day::from_number)
            .map(Day::date);
        let mut source_slug = String::new();
        if let Some(sources) = &columns.sources {
            if let Some(ord) = sources.ords().first(addr.doc_id) {
                let slugs = match &mut columns.slugs {
                    Some(slugs) => slugs,
                    none => none.insert(all_slugs(sources)?),
                };
                if let Some(slug) = slugs.get(ord as usize) {
                    source_slug = slug.clone();
                }
            }
        }
        Ok(Copy {
            id: String::new(),
            title: String::new(),
            date,
            source: String::new(),
            source_slug,
            path: String::new(),
        })
    }
}

/// The slugs of a segment's source column, by ordinal.
fn all_slugs(sources: &StrColumn) -> std::io::Result<Vec<String>> {
    let ords: Vec<u64> = (0..sources.num_terms() as u64).collect();
    let mut slugs = Vec::with_capacity(ords.len());
    sources
        .dictionary()
        .sorted_ords_to_term_cb(&ords, |encoded| slugs.push(slug_of_source_facet(encoded)))?;
    Ok(slugs)
}

impl SearchIndex {
    /// A copy as its stored document says.
    pub(super) fn copy_of(&self, doc: &TantivyDocument) -> Copy {
        match StoredDoc::from_tantivy(&self.fields, doc) {
            Ok(StoredDoc::Article(a)) => Copy {
                id: a.id,
                title: a.title,
                date: a.day.map(Day::date),
                source: a.source.name,
                source_slug: a.source.slug,
                path: a.path,
            },
            // Stories hold articles only; anything else shows by its id.
            _ => Copy {
                id: self.text(doc, self.fields.id).to_string(),
                title: self.text(doc, self.fields.title).to_string(),
                date: None,
                source: String::new(),
                source_slug: String::new(),
                path: self.text(doc, self.fields.path).to_string(),
            },
        }
    }
}

/// Copies in a stable order: oldest first (undated last), then by source and path. Read
/// without details, copies of one day and source keep the order they came in (their
/// paths are not known), which a listing of sources cannot tell apart.
pub(super) fn sort_copies(copies: &mut [Copy]) {
    copies.sort_by(|a, b| {
        (a.date.is_none(), a.date, &a.source_slug, &a.path).cmp(&(
            b.date.is_none(),
            b.date,
            &b.source_slug,
            &b.path,
        ))
    });
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use tantivy::DocAddress;
    use termcolor::NoColor;

    use super::CopyReader;
    use crate::output::{self, Format, Layout};
    use crate::search::testing::{test_index_in_segments, TestDoc};
    use crate::search::{DateRange, KindFilter, SearchIndex, SearchRequest, SimilarRequest};
    use crate::search::{SearchResults, Similar, SortOrder};

    const DAM: u64 = 0x0d;
    const FLOOD: u64 = 0x0f;
    const BUSES: u64 = 0x0b;

    /// Three stories and two articles of their own, over several segments: copies of one
    /// day and source, an undated copy, a source whose slug is not its name.
    fn docs() -> Vec<TestDoc> {
        let article = |path, title, body, source, date: Option<&'static str>, story| TestDoc {
            path,
            title,
            body,
            source,
            date,
            story,
            ..Default::default()
        };
        let dam =
            "The spillway of the river dam failed after the storm; engineers inspect the levee.";
        let flood = "Flood relief for the river towns after the storm: the levee held, the spillway did not.";
        let buses = "The school board bought new buses for the valley routes.";
        vec![
            article(
                "/a/ap/1.txt",
                "Spillway fails",
                dam,
                ("associated-press", "AP"),
                Some("2024-05-01"),
                Some(DAM),
            ),
            article(
                "/a/rt/2.txt",
                "Dam spillway gives way",
                dam,
                ("river-times", "The River Times"),
                Some("2024-05-02"),
                Some(DAM),
            ),
            article(
                "/a/vp/3.txt",
                "Storm breaks the spillway",
                dam,
                ("valley-post", "Valley Post"),
                Some("2024-05-02"),
                Some(DAM),
            ),
            article(
                "/a/rt/4.txt",
                "Spillway gone",
                dam,
                ("river-times", "The River Times"),
                Some("2024-05-02"),
                Some(DAM),
            ),
            article(
                "/a/x/5.txt",
                "Spillway, undated",
                dam,
                ("", ""),
                None,
                Some(DAM),
            ),
            article(
                "/a/ap/6.txt",
                "Flood relief for river towns",
                flood,
                ("associated-press", "AP"),
                Some("2024-05-06"),
                Some(FLOOD),
            ),
            article(
                "/a/vp/7.txt",
                "Relief for the river towns",
                flood,
                ("valley-post", "Valley Post"),
                Some("2024-05-07"),
                Some(FLOOD),
            ),
            article(
                "/a/rt/8.txt",
                "River towns get relief",
                flood,
                ("river-times", "The River Times"),
                None,
                Some(FLOOD),
            ),
            article(
                "/a/vp/9.txt",
                "New school buses",
                buses,
                ("valley-post", "Valley Post"),
                Some("2024-06-01"),
                Some(BUSES),
            ),
            article(
                "/a/rt/10.txt",
                "Buses for the valley",
                buses,
                ("river-times", "The River Times"),
                Some("2024-06-01"),
                Some(BUSES),
            ),
            article(
                "/a/ap/11.txt",
                "Levee inspection after the storm",
                "Engineers inspect the levee and the dam after the storm.",
                ("associated-press", "AP"),
                Some("2024-05-03"),
                None,
            ),
            article(
                "/a/vp/12.txt",
                "River levels fall",
                "The river falls back below the spillway.",
                ("valley-post", "Valley Post"),
                None,
                None,
            ),
        ]
    }

    fn index() -> SearchIndex {
        let (index, fields) = test_index_in_segments(&docs(), 5);
        SearchIndex::new(index, fields).unwrap()
    }

    fn request(copy_details: bool, collapse: bool) -> SearchRequest {
        SearchRequest {
            query: "*".to_string(),
            matching: None,
            dates: DateRange::any(),
            sources: vec![],
            kind: KindFilter::Article,
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 10,
            collapse,
            facets: false,
            snippets: true,
            copy_details,
            today: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        }
    }

    /// What `print` writes as plain text.
    fn text(print: impl FnOnce(&mut NoColor<Vec<u8>>, &Layout) -> std::io::Result<()>) -> String {
        let mut out = NoColor::new(Vec::new());
        let layout = Layout {
            cwd: None,
            width: None,
        };
        print(&mut out, &layout).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    fn text_of_results(r: &SearchResults) -> String {
        text(|out, layout| output::print_results(out, r, Format::Text, layout))
    }

    fn text_of_similar(s: &Similar) -> String {
        text(|out, layout| output::print_similar(out, s, Format::Text, layout))
    }

    #[test]
    fn copies_from_the_fast_fields_have_the_stored_sources_and_dates() {
        let idx = index();
        let searcher = idx.searcher();
        assert!(searcher.segment_readers().len() > 1);
        let mut whole = CopyReader::new(&idx, &searcher, true);
        let mut columns = CopyReader::new(&idx, &searcher, false);
        let mut read = Vec::new();
        // Twice: the second time from the columns already open.
        for _ in 0..2 {
            for (ord, segment) in searcher.segment_readers().iter().enumerate() {
                for doc in segment.doc_ids_alive() {
                    let addr = DocAddress::new(ord as u32, doc);
                    let (a, b) = (whole.read(addr).unwrap(), columns.read(addr).unwrap());
                    assert_eq!((a.date, &a.source_slug), (b.date, &b.source_slug), "{a:?}");
                    assert!(!a.id.is_empty() && !a.title.is_empty() && !a.path.is_empty());
                    assert!(b.id.is_empty() && b.title.is_empty() && b.path.is_empty());
                    read.push(b);
                }
            }
        }
        assert_eq!(read.len(), 2 * docs().len());
        // The odd ones are there: undated, and the source of an article without one.
        assert!(read.iter().any(|c| c.date.is_none()));
        assert!(read.iter().any(|c| c.source_slug == "unknown"));
    }

    #[test]
    fn text_prints_the_same_without_the_copies_details() {
        let idx = index();
        let mut copies_seen = 0;
        for d in docs() {
            for collapse in [true, false] {
                let similar = |details| {
                    idx.similar(&SimilarRequest {
                        target: d.path.to_string(),
                        search: request(details, collapse),
                    })
                    .unwrap()
                    .unwrap()
                };
                let (whole, sources) = (similar(true), similar(false));
                assert_eq!(
                    text_of_similar(&whole),
                    text_of_similar(&sources),
                    "{}",
                    d.path
                );
                assert_eq!(whole.copies.len(), sources.copies.len());
                copies_seen += whole
                    .results
                    .hits
                    .iter()
                    .filter_map(|h| h.story.as_ref())
                    .map(|s| s.copies.len())
                    .sum::<usize>();
            }
        }
        // Hits of stories with copies were among them.
        assert!(copies_seen > 0);
        for query in ["*", "spillway", "river", "buses"] {
            for collapse in [true, false] {
                let search = |details| {
                    idx.search(&SearchRequest {
                        query: query.to_string(),
                        ..request(details, collapse)
                    })
                    .unwrap()
                };
                assert_eq!(
                    text_of_results(&search(true)),
                    text_of_results(&search(false))
                );
            }
        }
    }
}
