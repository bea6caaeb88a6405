//! JSON output: one object for a search (`{"total", "hits", "facets"}`), one object per
//! hit for JSON lines, and objects for `show` and `stats`. Dates are `YYYY-MM-DD`; paths
//! are absolute, as indexed; highlights are byte ranges into `snippet`.

use std::io::{self, Write};
use std::path::Path;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::FileTeasers;
use crate::search::{DocKind, Document, Facets, Hit, IndexStats, SearchResults, SourceSummary};

pub(super) fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

fn ranges(r: &[(usize, usize)]) -> Value {
    json!(r.iter().map(|&(a, b)| [a, b]).collect::<Vec<_>>())
}

fn write_line<W: Write>(w: &mut W, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, value)?;
    w.write_all(b"\n")
}

/// One hit: the fields every hit has, then those of its kind.
pub fn hit(hit: &Hit) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), hit.id.clone().into());
    o.insert("kind".into(), hit.kind.name().into());
    o.insert("title".into(), hit.title.clone().into());
    o.insert("date".into(), date(hit.date));
    o.insert("source".into(), hit.source.clone().into());
    o.insert("source_slug".into(), hit.source_slug.clone().into());
    o.insert("path".into(), hit.path.clone().into());
    o.insert("score".into(), json!(hit.score));
    o.insert("title_highlights".into(), ranges(&hit.title_highlights));
    match &hit.snippet {
        Some(s) => {
            o.insert("snippet".into(), s.text.clone().into());
            o.insert("highlights".into(), ranges(&s.highlights));
            o.insert("snippet_from".into(), s.source.name().into());
        }
        None => {
            o.insert("snippet".into(), Value::Null);
            o.insert("highlights".into(), json!([]));
        }
    }
    if let Some(t) = &hit.teaser {
        o.insert("seen_count".into(), t.seen_count.into());
        o.insert("last_seen".into(), date(t.last_seen));
        o.insert("truncated".into(), t.truncated.into());
    }
    if hit.kind == DocKind::Article {
        o.insert(
            "seen_as_teaser".into(),
            hit.seen_as_teaser.unwrap_or(0).into(),
        );
    }
    if let Some(story) = &hit.story {
        super::stories::story_json(&mut o, story);
    }
    Value::Object(o)
}

/// Counts of documents, each with `stories` (copies of one story counted once) where the
/// index knows them (not on a cluster: null there).
fn facets(f: &Facets) -> Value {
    json!({
        "sources": f.sources.iter().map(|s| json!({"slug": s.slug, "name": s.name, "count": s.count, "stories": s.stories})).collect::<Vec<_>>(),
        "months": f.months.iter().map(|m| json!({"month": format!("{:04}-{:02}", m.year, m.month), "count": m.count, "stories": m.stories})).collect::<Vec<_>>(),
        "undated": f.undated,
        "undated_stories": f.undated_stories,
        "source_total": f.source_total,
    })
}

pub fn results<W: Write>(w: &mut W, r: &SearchResults) -> io::Result<()> {
    write_line(w, &results_value(r))
}

pub(super) fn results_value(r: &SearchResults) -> Value {
    json!({
        "total": r.total,
        "stories": r.stories,
        "offset": r.offset,
        "hits": r.hits.iter().map(hit).collect::<Vec<_>>(),
        "facets": r.facets.as_ref().map_or(Value::Null, facets),
        "strategy": r.matching.strategy.name(),
        "matching": {
            "strategy": r.matching.strategy.name(),
            "words": r.matching.words,
            "required": r.matching.required,
            "fell_back": r.matching.fell_back,
            "with_all": r.matching.with_all,
        },
        "suggestion": r.suggestion.as_ref().map_or(Value::Null, |s| json!({"query": s.query, "total": s.total})),
    })
}

/// One hit as a line of JSON lines.
pub fn hit_line<W: Write>(w: &mut W, h: &Hit) -> io::Result<()> {
    write_line(w, &hit(h))
}

/// One source of `newsfind sources -f json`.
pub fn source_line<W: Write>(w: &mut W, s: &SourceSummary) -> io::Result<()> {
    write_line(
        w,
        &json!({
            "slug": s.slug,
            "name": s.name,
            "articles": s.articles,
            "first_date": date(s.first),
            "last_date": date(s.last),
        }),
    )
}

pub fn document<W: Write>(
    w: &mut W,
    d: &Document,
    teasers: Option<FileTeasers<'_>>,
) -> io::Result<()> {
    let mut o = Map::new();
    o.insert("id".into(), d.id.clone().into());
    o.insert("kind".into(), d.kind.name().into());
    o.insert("title".into(), d.title.clone().into());
    o.insert("date".into(), date(d.date));
    o.insert("source".into(), d.source.clone().into());
    o.insert("source_slug".into(), d.source_slug.clone().into());
    o.insert("path".into(), d.path.clone().into());
    o.insert("byline".into(), json!(d.byline));
    o.insert("read_minutes".into(), json!(d.read_minutes));
    o.insert(
        "captions".into(),
        json!(d
            .captions
            .iter()
            .map(|(text, credit)| json!({"text": text, "credit": credit}))
            .collect::<Vec<_>>()),
    );
    o.insert("body".into(), d.body.clone().into());
    if let Some(t) = &d.teaser {
        o.insert("seen_count".into(), t.seen_count.into());
        o.insert("last_seen".into(), date(t.last_seen));
        o.insert("truncated".into(), t.truncated.into());
        o.insert("article_id".into(), json!(d.article_id));
    }
    if d.kind == DocKind::Article {
        o.insert(
            "seen_as_teaser".into(),
            d.seen_as_teaser.unwrap_or(0).into(),
        );
    }
    if let Some(story) = &d.story {
        super::stories::story_json(&mut o, story);
    }
    match teasers {
        Some(Ok(list)) => {
            o.insert("teasers".into(), json!(list));
        }
        Some(Err(why)) => {
            o.insert("teasers".into(), Value::Null);
            o.insert("teasers_note".into(), why.into());
        }
        None => {}
    }
    write_line(w, &Value::Object(o))
}

pub fn stats<W: Write>(w: &mut W, s: &IndexStats, dir: &Path) -> io::Result<()> {
    let value = json!({
        "index": dir.display().to_string(),
        "documents": s.documents,
        "articles": s.articles,
        "stories": s.stories,
        "stories_with_copies": s.stories_with_copies,
        "articles_with_copies": s.articles_with_copies,
        "undated_articles": s.undated_articles,
        "teasers": s.teasers,
        "folded_teasers": s.folded_teasers,
        "sources": s.sources,
        "top_sources": s.top_sources.iter().map(|c| json!({"slug": c.slug, "name": c.name, "count": c.count})).collect::<Vec<_>>(),
        "first_date": date(s.first_date),
        "last_date": date(s.last_date),
        "years": s.years.iter().map(|(y, n)| json!({"year": y, "count": n})).collect::<Vec<_>>(),
        "segments": s.segments,
        "size_bytes": s.size_bytes,
    });
    write_line(w, &value)
}
