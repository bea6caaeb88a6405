//! The searcher end to end on small in-memory indexes.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::testing::{test_index, TestDoc};
use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 2, 6).unwrap()
}

fn docs() -> Vec<TestDoc> {
    vec![
        TestDoc {
            path: "/a/reuters/001.txt",
            title: "Elections in Ukraine postponed",
            body:
                "The elections were postponed again.\n\nOfficials in Kyiv said the vote would wait.",
            captions: vec![("Voters queue in Kyiv", "AFP")],
            byline: Some("Jane Roe"),
            source: ("reuters", "Reuters"),
            date: Some("2025-02-03"),
            ..Default::default()
        },
        TestDoc {
            path: "/a/the-hill/002.txt",
            title: "Budget talks stall",
            body: "Congress left the budget unresolved. An election year looms.",
            source: ("the-hill", "The Hill"),
            date: Some("2024-11-20"),
            ..Default::default()
        },
        TestDoc {
            path: "/a/the-hill/003.txt",
            title: "Undated note on the budget",
            body: "A budget note without a date.",
            source: ("the-hill", "The Hill"),
            date: None,
            ..Default::default()
        },
        // The teaser of the first article: folded into it.
        TestDoc {
            teaser: true,
            path: "/a/the-hill/002.txt",
            title: "Elections in Ukraine postponed",
            body: "The elections were postponed",
            source: ("the-hill", "The Hill"),
            date: Some("2024-11-20"),
            seen_count: 4,
            folded: true,
            ..Default::default()
        },
        // A teaser for a story not in the archive.
        TestDoc {
            teaser: true,
            path: "/a/reuters/001.txt",
            title: "Budget deal reached overnight",
            body: "Lawmakers reached a budget deal in a late session",
            source: ("reuters", "Reuters"),
            date: Some("2025-02-03"),
            seen_count: 2,
            ..Default::default()
        },
    ]
}

fn index() -> &'static SearchIndex {
    static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let (index, fields) = test_index(&docs());
        SearchIndex::new(index, fields).unwrap()
    })
}

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        matching: None,
        dates: DateRange::any(),
        sources: vec![],
        kind: KindFilter::All,
        sort: SortOrder::Relevance,
        offset: 0,
        limit: 10,
        collapse: true,
        facets: false,
        snippets: true,
        copy_details: true,
        today: today(),
    }
}

fn paths(r: &SearchResults) -> Vec<(&str, DocKind)> {
    r.hits.iter().map(|h| (h.path.as_str(), h.kind)).collect()
}

#[test]
fn stemming_and_folding() {
    let idx = index();
    // `election` finds `Elections` (stemmed); the folded teaser is not listed.
    let r = idx.search(&request("election")).unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(
        paths(&r),
        [
            ("/a/reuters/001.txt", DocKind::Article),
            ("/a/the-hill/002.txt", DocKind::Article)
        ]
    );
    // Title boost: the article with the word in its title comes first.
    assert!(r.hits[0].score > r.hits[1].score);
    // The article knows how often it was teased.
    assert_eq!(r.hits[0].seen_as_teaser, Some(4));
    assert_eq!(r.hits[1].seen_as_teaser, None);

    let mut teasers = request("election");
    teasers.kind = KindFilter::Teaser;
    let r = idx.search(&teasers).unwrap();
    assert_eq!(paths(&r), [("/a/the-hill/002.txt", DocKind::Teaser)]);
    let t = r.hits[0].teaser.unwrap();
    assert_eq!(t.seen_count, 4);
}

#[test]
fn unfolded_teasers_are_listed_with_all() {
    let idx = index();
    let r = idx.search(&request("deal")).unwrap();
    assert_eq!(paths(&r), [("/a/reuters/001.txt", DocKind::Teaser)]);
    let mut articles = request("deal");
    articles.kind = KindFilter::Article;
    assert_eq!(idx.search(&articles).unwrap().total, 0);
}

#[test]
fn snippets_highlight_the_matched_words() {
    let idx = index();
    let r = idx.search(&request("postponed kyiv")).unwrap();
    let s = r.hits[0].snippet.as_ref().unwrap();
    assert_eq!(s.source, SnippetSource::Body);
    let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
    assert_eq!(marked, ["postponed", "Kyiv"]);
    assert!(!s.text.contains('\n'));
    let title = &r.hits[0].title;
    let in_title: Vec<&str> = r.hits[0]
        .title_highlights
        .iter()
        .map(|&(a, b)| &title[a..b])
        .collect();
    assert_eq!(in_title, ["postponed"]);

    // Only in a caption: the caption is the snippet.
    let r = idx.search(&request("voters")).unwrap();
    assert_eq!(
        r.hits[0].snippet.as_ref().unwrap().source,
        SnippetSource::Captions
    );
    // Only in the title: the start of the body, the title's words marked in it.
    let r = idx.search(&request("ukraine")).unwrap();
    let s = r.hits[0].snippet.as_ref().unwrap();
    assert_eq!(s.source, SnippetSource::Lead);
    assert_eq!(r.hits[0].title_highlights, [(13, 20)]);
    // Only in the byline: the start of the body.
    let r = idx.search(&request("byline:roe")).unwrap();
    let s = r.hits[0].snippet.as_ref().unwrap();
    assert_eq!(s.source, SnippetSource::Lead);
    assert!(s.text.starts_with("The elections were postponed again."));
    // Prefixes are highlighted too.
    let r = idx.search(&request("postpon*")).unwrap();
    assert!(!r.hits[0].snippet.as_ref().unwrap().highlights.is_empty());
}

#[test]
fn dates_filter_and_leave_out_undated() {
    let idx = index();
    let mut req = request("budget");
    assert_eq!(idx.search(&req).unwrap().total, 3);
    req.dates = DateRange::since(DateSpan::parse("2024", today()).unwrap());
    let r = idx.search(&req).unwrap();
    assert_eq!(r.total, 2, "{:?}", paths(&r));
    assert!(r.hits.iter().all(|h| h.date.is_some()));
    req.dates = DateRange::within(DateSpan::parse("2024-11", today()).unwrap());
    assert_eq!(
        paths(&idx.search(&req).unwrap()),
        [("/a/the-hill/002.txt", DocKind::Article)]
    );
    // The same inside the query.
    let r = idx.search(&request("budget date:2024-11")).unwrap();
    assert_eq!(paths(&r), [("/a/the-hill/002.txt", DocKind::Article)]);
    let r = idx.search(&request("budget date:2024-12..")).unwrap();
    assert_eq!(paths(&r), [("/a/reuters/001.txt", DocKind::Teaser)]);
    // 2025-02-03 is the Monday of the week of 2025-02-06.
    assert_eq!(idx.search(&request("date:\"this week\"")).unwrap().total, 2);
    assert_eq!(idx.search(&request("date:last_week")).unwrap().total, 0);
    // Relative: 2025-02-03 is 3 days before today.
    let r = idx.search(&request("date:3d")).unwrap();
    assert_eq!(r.total, 2);
    // An empty intersection finds nothing, and says why.
    let mut req = request("budget");
    req.dates = DateRange::since(DateSpan::parse("2025", today()).unwrap())
        .intersect(DateRange::until(DateSpan::parse("2024", today()).unwrap()));
    let r = idx.search(&req).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(r.notes.len(), 1);
}

#[test]
fn sources_by_slug_or_name() {
    let idx = index();
    for name in ["the-hill", "The Hill", "THE HILL"] {
        let mut req = request("budget");
        req.sources = vec![name.to_string()];
        let r = idx.search(&req).unwrap();
        assert_eq!(r.total, 2, "{name}");
        assert!(r
            .hits
            .iter()
            .all(|h| h.source_slug == "the-hill" && h.source == "The Hill"));
    }
    let mut req = request("budget");
    req.sources = vec!["reuters".into(), "the hill".into()];
    assert_eq!(idx.search(&req).unwrap().total, 3);
    req.sources = vec!["nobody".into()];
    let r = idx.search(&req).unwrap();
    assert_eq!(r.total, 0);
    assert!(r.notes[0].contains("nobody"));
    // `source:` in the query.
    assert_eq!(idx.search(&request("budget source:hill")).unwrap().total, 2);
}

#[test]
fn sorting_paging_and_ties() {
    let idx = index();
    let mut req = request("budget");
    req.sort = SortOrder::Newest;
    let r = idx.search(&req).unwrap();
    let dates: Vec<Option<NaiveDate>> = r.hits.iter().map(|h| h.date).collect();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    assert_eq!(dates, [d("2025-02-03"), d("2024-11-20"), None]);
    req.sort = SortOrder::Oldest;
    let dates: Vec<Option<NaiveDate>> = idx
        .search(&req)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.date)
        .collect();
    assert_eq!(dates, [d("2024-11-20"), d("2025-02-03"), None]);

    // Paging keeps the total and walks the same order.
    let all = idx.search(&request("budget")).unwrap();
    let mut page = request("budget");
    page.limit = 1;
    page.offset = 1;
    let r = idx.search(&page).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].id, all.hits[1].id);
    page.offset = 5;
    assert!(idx.search(&page).unwrap().hits.is_empty());

    // `*` scores every document alike: ties go by date, then path.
    let r = idx.search(&request("*")).unwrap();
    let order: Vec<(&str, DocKind)> = paths(&r);
    assert_eq!(
        order,
        [
            ("/a/reuters/001.txt", DocKind::Article),
            ("/a/reuters/001.txt", DocKind::Teaser),
            ("/a/the-hill/002.txt", DocKind::Article),
            ("/a/the-hill/003.txt", DocKind::Article),
        ]
    );
}

#[test]
fn ties_by_path_across_pages() {
    // Forty identical documents: only the path tells them apart.
    let many: Vec<TestDoc> = (0..40)
        .map(|i| TestDoc {
            path: Box::leak(format!("/x/{:02}.txt", (i * 17) % 40).into_boxed_str()),
            title: "Same story",
            body: "Same words everywhere.",
            source: ("wire", "Wire"),
            date: Some("2020-01-01"),
            ..Default::default()
        })
        .collect();
    let (index, fields) = test_index(&many);
    let idx = SearchIndex::new(index, fields).unwrap();
    let mut seen = Vec::new();
    for offset in (0..40).step_by(7) {
        let mut req = request("story");
        req.offset = offset;
        req.limit = 7;
        seen.extend(idx.search(&req).unwrap().hits.into_iter().map(|h| h.path));
    }
    let want: Vec<String> = (0..40).map(|i| format!("/x/{i:02}.txt")).collect();
    assert_eq!(seen, want);
}

#[test]
fn facets_count_every_match() {
    let idx = index();
    let mut req = request("budget");
    req.facets = true;
    req.limit = 1;
    let f = idx.search(&req).unwrap().facets.unwrap();
    let sources: Vec<(&str, u64)> = f
        .sources
        .iter()
        .map(|s| (s.slug.as_str(), s.count))
        .collect();
    assert_eq!(sources, [("the-hill", 2), ("reuters", 1)]);
    let months: Vec<(i32, u32, u64)> = f
        .months
        .iter()
        .map(|m| (m.year, m.month, m.count))
        .collect();
    // Months without a match are there, as zero.
    assert_eq!(
        months,
        [(2024, 11, 1), (2024, 12, 0), (2025, 1, 0), (2025, 2, 1)]
    );
    assert_eq!(f.undated, 1);
    // Not asked, not computed.
    assert!(idx.search(&request("budget")).unwrap().facets.is_none());
}

#[test]
fn query_syntax() {
    let idx = index();
    let total = |q: &str| idx.search(&request(q)).unwrap().total;
    assert_eq!(total("\"elections were postponed\""), 1);
    assert_eq!(total("\"postponed were elections\""), 0);
    assert_eq!(total("budget -undated"), 2);
    assert_eq!(total("-budget"), 1);
    assert_eq!(total("kyiv OR congress"), 2);
    assert_eq!(total("title:budget"), 3);
    assert_eq!(total("body:budget"), 3);
    assert_eq!(total("byline:roe"), 1);
    assert_eq!(total("elect*"), 2);
    assert_eq!(total("bud*"), 3);
    assert_eq!(total("title:ukr*"), 1);
    // A `word:` that names no field is two words (a pasted headline).
    assert!(idx.search(&request("nosuchfield:x")).is_ok());
    assert!(idx.search(&request("(unclosed")).is_err());
}

#[test]
fn documents_by_id_and_path() {
    let idx = index();
    let hit = idx.search(&request("kyiv")).unwrap().hits.remove(0);
    let doc = idx.document(&hit.id).unwrap().unwrap();
    assert_eq!(doc.title, "Elections in Ukraine postponed");
    assert_eq!(
        doc.captions,
        [("Voters queue in Kyiv".to_string(), Some("AFP".to_string()))]
    );
    assert_eq!(doc.byline.as_deref(), Some("Jane Roe"));
    assert_eq!(doc.seen_as_teaser, Some(4));
    let by_path = idx.document("/a/reuters/001.txt").unwrap().unwrap();
    assert_eq!(by_path.id, hit.id);
    assert_eq!(by_path.kind, DocKind::Article);
    // A teaser knows the article it folds into.
    let mut req = request("elections");
    req.kind = KindFilter::Teaser;
    let teaser = idx.search(&req).unwrap().hits.remove(0);
    let doc = idx.document(&teaser.id).unwrap().unwrap();
    assert_eq!(doc.article_id.as_deref(), Some(hit.id.as_str()));
    assert!(idx.document("/nowhere.txt").unwrap().is_none());
}

#[test]
fn stats_count_the_index() {
    let idx = index();
    let s = idx.stats(std::path::Path::new("/nonexistent")).unwrap();
    assert_eq!(
        (s.documents, s.articles, s.teasers, s.folded_teasers),
        (5, 3, 2, 1)
    );
    assert_eq!(s.undated_articles, 1);
    assert_eq!(s.sources, 2);
    assert_eq!(s.years, [(2024, 1), (2025, 1)]);
    assert_eq!(s.first_date, NaiveDate::from_ymd_opt(2024, 11, 20));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever is typed, a search answers or says why: it never panics.
    #[test]
    fn searching_never_panics(query in "\\PC{0,30}", facets: bool, sort in 0..3u8) {
        let idx = index();
        let mut req = request(&query);
        req.facets = facets;
        req.sort = [SortOrder::Relevance, SortOrder::Newest, SortOrder::Oldest][sort as usize];
        let _ = idx.search(&req);
    }
}

#[test]
fn every_word_first_then_most_of_them() {
    // Nothing holds all three words: the hits hold most of them, and say so.
    let r = index().search(&request("budget elections kyiv")).unwrap();
    assert!(r.matching.fell_back);
    assert_eq!(r.matching.strategy, MatchStrategy::Most);
    assert_eq!(r.matching.words, 3);
    assert!(r.matching.required < 3);
    assert_eq!(r.total, r.hits.len() as u64);
    // A document with two of the words comes first (the Reuters one has `elections`
    // and `kyiv`, the Hill's `budget` and `election`).
    assert!(
        ["/a/reuters/001.txt", "/a/the-hill/002.txt"].contains(&r.hits[0].path.as_str()),
        "{:?}",
        paths(&r)
    );
    // Forced: every word, nothing.
    let all = SearchRequest {
        matching: Some(MatchStrategy::All),
        ..request("budget elections kyiv")
    };
    let r = index().search(&all).unwrap();
    assert_eq!((r.total, r.matching.fell_back), (0, false));
    // One word: no fallback to speak of.
    let r = index().search(&request("budget")).unwrap();
    assert_eq!(r.matching.strategy, MatchStrategy::All);
    assert!(!r.matching.fell_back);
}

#[test]
fn stop_words_neither_block_nor_count() {
    // "what", "are", "the" are in no document together with "kyiv": still found.
    let all = SearchRequest {
        matching: Some(MatchStrategy::All),
        ..request("what are the officials in kyiv")
    };
    let r = index().search(&all).unwrap();
    assert_eq!(r.matching.words, 2);
    assert_eq!(paths(&r), [("/a/reuters/001.txt", DocKind::Article)]);
}

#[test]
fn fuzzy_terms_match_and_are_highlighted() {
    let r = index().search(&request("postpnoed~2")).unwrap();
    assert!(r.total > 0);
    let s = r.hits[0].snippet.as_ref().unwrap();
    let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
    assert!(marked.contains(&"postponed"), "{s:?}");
}

#[test]
fn suggestions_come_from_the_vocabulary() {
    let many: Vec<TestDoc> = (0..30)
        .map(|i| TestDoc {
            path: Box::leak(format!("/b/{i:03}.txt").into_boxed_str()),
            title: "The president spoke",
            body: "President Obama said the president would sign it.",
            ..Default::default()
        })
        .collect();
    let (idx, fields) = test_index(&many);
    let search = SearchIndex::new(idx, fields).unwrap();
    let r = search.search(&request("presdient obamma")).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(
        r.suggestion,
        Some(Suggestion {
            query: "president obama".to_string(),
            total: 30
        })
    );
    // Enough hits: no suggestion is looked for.
    let r = search.search(&request("president")).unwrap();
    assert_eq!(r.suggestion, None);
}

/// CISI query 66 ("Current online library network technology …") was offered "Current
/// line library …": `online` is in a few documents, `line` (two letters off, from the
/// older spelling `on-line`) in many. A correction keeps the first letter of the word
/// typed, as Lucene's DirectSpellChecker and Elasticsearch's term suggester do by default.
#[test]
fn a_correction_keeps_the_first_letter() {
    let mut docs: Vec<TestDoc> = (0..40)
        .map(|i| TestDoc {
            path: Box::leak(format!("/b/{i:03}.txt").into_boxed_str()),
            title: "On-line catalogues",
            body: "The on-line catalogue of the library network, line by line.",
            ..Default::default()
        })
        .collect();
    docs.push(TestDoc {
        path: "/b/online.txt",
        title: "Online searching",
        body: "Online searching of bibliographic files.",
        ..Default::default()
    });
    let (idx, fields) = test_index(&docs);
    let search = SearchIndex::new(idx, fields).unwrap();
    let r = search.search(&request("online library network")).unwrap();
    assert_eq!(r.suggestion, None);
    // A misspelt first letter is not looked for either: `kine` is not `line`.
    let r = search.search(&request("kine library")).unwrap();
    assert_eq!(r.suggestion, None);
    // The rest of the word still is: `libary` is `library`.
    let r = search.search(&request("online libary")).unwrap();
    assert_eq!(
        r.suggestion.map(|s| s.query),
        Some("online library".to_string())
    );
}

/// A word the archive holds, however rarely, is taken for a typo only when one edit away
/// from a common word (most misspellings are one edit): `contextual` is not
/// `conceptual`, two letters off. A word it does not hold may be two edits off.
#[test]
fn a_word_the_archive_holds_is_corrected_by_one_edit_only() {
    let mut docs: Vec<TestDoc> = (0..40)
        .map(|i| TestDoc {
            path: Box::leak(format!("/c/{i:03}.txt").into_boxed_str()),
            title: "Conceptual analysis",
            body: "A conceptual analysis of the president's words.",
            ..Default::default()
        })
        .collect();
    docs.push(TestDoc {
        path: "/c/contextual.txt",
        title: "Contextual analysis",
        body: "Contextual analysis, and a presdient once.",
        ..Default::default()
    });
    let (idx, fields) = test_index(&docs);
    let search = SearchIndex::new(idx, fields).unwrap();
    let r = search.search(&request("contextual words")).unwrap();
    assert_eq!(r.suggestion, None);
    // Held once, one swap from a common word: a typo.
    let r = search.search(&request("presdient words")).unwrap();
    assert_eq!(
        r.suggestion.map(|s| s.query),
        Some("president words".to_string())
    );
    // Held nowhere, two edits off: still corrected.
    let r = search.search(&request("conteptuall words")).unwrap();
    assert_eq!(
        r.suggestion.map(|s| s.query),
        Some("conceptual words".to_string())
    );
}

#[test]
fn unknown_sources_name_the_closest() {
    let req = SearchRequest {
        sources: vec!["Hill".to_string()],
        ..request("budget")
    };
    let r = index().search(&req).unwrap();
    assert!(
        r.notes.iter().any(|n| n.contains("closest: the-hill")),
        "{:?}",
        r.notes
    );
}

fn any_words(query: &str) -> SearchRequest {
    SearchRequest {
        matching: Some(MatchStrategy::Any),
        ..request(query)
    }
}

fn score_of(r: &SearchResults, path: &str) -> f32 {
    r.hits.iter().find(|h| h.path == path).unwrap().score
}

#[test]
fn repeated_words_weigh_as_often_as_typed() {
    // As Lucene's BM25 sums a repeated query word: typed twice, or in two forms with one
    // stem, a word weighs twice; it stays one word for the matching strategy.
    let idx = index();
    let once = idx.search(&any_words("budget kyiv")).unwrap();
    for query in [
        "budget budget kyiv",
        "budget kyiv budgets",
        "(budget) kyiv budget?",
    ] {
        let twice = idx.search(&any_words(query)).unwrap();
        assert_eq!(twice.matching.words, 2, "{query}");
        let (a, b) = (
            score_of(&once, "/a/the-hill/003.txt"),
            score_of(&twice, "/a/the-hill/003.txt"),
        );
        assert!(
            (b - 2.0 * a).abs() < 1e-3 * a,
            "{query}: {b} is not twice {a}"
        );
    }
}

#[test]
fn parentheses_that_only_group_words_do_not_make_them_required() {
    let idx = index();
    // Every word first, as without the parentheses.
    let all = |q: &str| {
        let req = SearchRequest {
            matching: Some(MatchStrategy::All),
            ..request(q)
        };
        paths(&idx.search(&req).unwrap())
            .into_iter()
            .map(|(p, _)| p.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        all("(elections kyiv) officials"),
        all("elections kyiv officials")
    );
    // Falling back, the words in parentheses count one by one: the budget notes hold
    // one of the three words and are listed.
    let r = idx.search(&request("budget (elections kyiv)")).unwrap();
    assert!(r.matching.fell_back);
    assert_eq!(r.matching.words, 3);
    assert!(paths(&r).contains(&("/a/the-hill/003.txt", DocKind::Article)));
    // A group of alternatives is one word, held when any of its words is.
    let r = idx
        .search(&request("congress (kyiv OR lawmakers)"))
        .unwrap();
    assert_eq!(r.matching.words, 2);
    assert_eq!(all("budget (kyiv or congress)"), ["/a/the-hill/002.txt"]);
    let r = idx.search(&request("budget (kyiv or congress)")).unwrap();
    assert_eq!(r.matching.words, 2);
    // Excluded or required groups keep their meaning.
    assert_eq!(
        idx.search(&request("budget -(undated note)"))
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        idx.search(&request("+(budget note) undated"))
            .unwrap()
            .total,
        1
    );
}

#[test]
fn a_word_cut_in_pieces_is_a_phrase_then_its_pieces() {
    let idx = index();
    // Every word: `budget-kyiv` is the phrase, which no document holds.
    let all = SearchRequest {
        matching: Some(MatchStrategy::All),
        ..request("budget-kyiv talks")
    };
    assert_eq!(idx.search(&all).unwrap().total, 0);
    // Falling back, its pieces count: documents with "kyiv" or "budget" alone are found.
    let r = idx.search(&request("budget-kyiv talks")).unwrap();
    assert!(r.matching.fell_back);
    let found = paths(&r);
    assert!(
        found.contains(&("/a/reuters/001.txt", DocKind::Article)),
        "{found:?}"
    );
    assert!(
        found.contains(&("/a/the-hill/003.txt", DocKind::Article)),
        "{found:?}"
    );
}

/// A search answered by most of its words is ranked with the words of its best documents
/// too (RM3): among documents holding only `talks`, the one about the negotiators in Kyiv
/// (the best documents' other words) comes before the budget talks, though those have
/// `talks` in their title. The documents matched are the same; a search answered by every
/// word is ranked as typed.
#[test]
fn feedback_ranks_most_of_the_words_by_the_best_documents_words() {
    let mut docs: Vec<TestDoc> = (0..3)
        .map(|i| TestDoc {
            path: Box::leak(format!("/a/ukraine{i}.txt").into_boxed_str()),
            title: "Ukraine talks",
            body: "Ukraine talks in Kyiv: the negotiators met in Kyiv.",
            ..Default::default()
        })
        .collect();
    docs.push(TestDoc {
        path: "/a/kyiv.txt",
        title: "Negotiators in Kyiv",
        body: "The Kyiv negotiators resumed talks.",
        ..Default::default()
    });
    docs.push(TestDoc {
        path: "/a/budget.txt",
        title: "Budget talks",
        body: "Congress resumed the budget talks.",
        ..Default::default()
    });
    for i in 0..40 {
        docs.push(TestDoc {
            path: Box::leak(format!("/a/weather{i:02}.txt").into_boxed_str()),
            title: "Weather",
            body: "Sunny with a chance of rain.",
            ..Default::default()
        });
    }
    let (idx, fields) = test_index(&docs);
    let search = SearchIndex::new(idx, fields).unwrap();
    let most = SearchRequest {
        matching: Some(MatchStrategy::Most),
        ..request("ukraine talks")
    };
    let r = search.search(&most).unwrap();
    assert_eq!(r.total, 5);
    let rank = |path: &str| r.hits.iter().position(|h| h.path == path).unwrap();
    assert!(
        rank("/a/kyiv.txt") < rank("/a/budget.txt"),
        "{:?}",
        paths(&r)
    );
    // Snippets mark the query's words, not the feedback's.
    let kyiv = &r.hits[rank("/a/kyiv.txt")];
    let s = kyiv.snippet.as_ref().unwrap();
    let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
    assert_eq!(marked, ["talks"], "{s:?}");
    // Every word: as typed, no feedback.
    let all = SearchRequest {
        matching: Some(MatchStrategy::All),
        ..request("ukraine talks")
    };
    let r = search.search(&all).unwrap();
    assert_eq!(r.total, 3);
}
