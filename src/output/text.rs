//! Text output for people: a header with the count, then per hit the title, a line of
//! facts (date, source, kind, path) and the snippet with the matched words in colour; bar
//! charts for facets and stats.

use std::io;
use std::path::Path;

use chrono::NaiveDate;
use termcolor::{Color, ColorSpec, WriteColor};

use super::{safe, wrap, FileTeasers, Layout};
use crate::search::{
    DocKind, Document, Facets, Hit, IndexStats, SearchResults, Snippet, SnippetSource,
    SourceSummary,
};

/// Widest bar of a chart, in cells.
const BAR_WIDTH: usize = 30;
/// Above this many months, the text chart counts by year instead.
const MAX_MONTH_ROWS: usize = 36;

pub(super) fn title_spec() -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_bold(true);
    s
}

pub(super) fn dim_spec() -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_dimmed(true);
    s
}

fn path_spec() -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_fg(Some(Color::Magenta));
    s
}

/// Matched words: ripgrep's red bold.
fn match_spec() -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_fg(Some(Color::Red)).set_bold(true);
    s
}

fn bar_spec() -> ColorSpec {
    let mut s = ColorSpec::new();
    s.set_fg(Some(Color::Cyan));
    s
}

pub(super) fn colored<W: WriteColor>(w: &mut W, spec: &ColorSpec, text: &str) -> io::Result<()> {
    if spec.is_none() || text.is_empty() {
        return w.write_all(text.as_bytes());
    }
    w.set_color(spec)?;
    w.write_all(text.as_bytes())?;
    w.reset()
}

pub(super) fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(
        || "undated".to_string(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}

/// `1 match`, `12 matches`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `37554` → `37,554`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn results<W: WriteColor>(w: &mut W, r: &SearchResults, layout: &Layout) -> io::Result<()> {
    let mut header = count(r.total, "match", "matches");
    if r.stories != r.total {
        header.push_str(&format!(" in {}", count(r.stories, "story", "stories")));
    }
    if !r.hits.is_empty() && (r.offset > 0 || (r.hits.len() as u64) < r.total) {
        header.push_str(&format!(
            ", showing {}-{}",
            r.offset + 1,
            r.offset + r.hits.len()
        ));
    } else if r.hits.is_empty() && r.total > 0 && r.offset > 0 {
        header.push_str(&format!(", none from {} on", r.offset + 1));
    }
    colored(w, &dim_spec(), &header)?;
    writeln!(w)?;
    if let Some(line) = matching_line(r) {
        colored(w, &dim_spec(), &line)?;
        writeln!(w)?;
    }
    if let Some(s) = &r.suggestion {
        writeln!(
            w,
            "did you mean: {}? {}",
            safe::one_line(&s.query),
            count(s.total, "match", "matches")
        )?;
    }
    for hit in &r.hits {
        writeln!(w)?;
        print_hit(w, hit, layout)?;
    }
    if let Some(f) = &r.facets {
        writeln!(w)?;
        print_facets(w, f)?;
    }
    Ok(())
}

/// Says which words the hits hold when that is not all of them.
fn matching_line(r: &SearchResults) -> Option<String> {
    let m = &r.matching;
    if m.required >= m.words || r.total == 0 {
        return None;
    }
    let some = if m.required <= 1 {
        "any of them".to_string()
    } else {
        format!("at least {} of them", m.required)
    };
    Some(if m.fell_back {
        let few = match m.with_all {
            0 => "no document has".to_string(),
            1 => "only 1 document has".to_string(),
            n => format!("only {n} documents have"),
        };
        format!("{few} all {} words; showing those with {some}", m.words)
    } else {
        format!("showing documents with {some} ({} words)", m.words)
    })
}

fn print_hit<W: WriteColor>(w: &mut W, hit: &Hit, layout: &Layout) -> io::Result<()> {
    wrapped(
        w,
        &hit.title,
        &hit.title_highlights,
        &title_spec(),
        "",
        layout.width,
    )?;
    let mut facts = vec![
        hit.id.clone(),
        day(hit.date),
        safe::one_line(&hit.source).into(),
    ];
    match (hit.kind, &hit.teaser) {
        (DocKind::Teaser, Some(t)) => {
            let mut seen = format!("teaser seen in {}", count(t.seen_count, "file", "files"));
            if let Some(last) = t.last_seen.filter(|&l| Some(l) != hit.date) {
                seen.push_str(&format!(" until {}", last.format("%Y-%m-%d")));
            }
            seen.push_str(", first in");
            facts.push(seen);
        }
        (DocKind::Teaser, None) => facts.push("teaser, first seen in".to_string()),
        (DocKind::Article, _) => {
            let mut kind = "article".to_string();
            if let Some(n) = hit.seen_as_teaser.filter(|&n| n > 0) {
                kind.push_str(&format!(", teased in {}", count(n, "file", "files")));
            }
            facts.push(kind);
            facts.push(String::new());
        }
    }
    let facts = facts.join(" \u{b7} ");
    let path = layout.show(&hit.path);
    // A path is never broken: it goes on a line of its own when the line would be too
    // long, after the facts, wrapped.
    let fits = layout
        .width
        .is_none_or(|width| 2 + columns(&facts) + 1 + columns(&path) <= width);
    if fits {
        w.write_all(b"  ")?;
        colored(w, &dim_spec(), facts.trim_end())?;
        w.write_all(b" ")?;
    } else {
        let facts = facts.trim_end().trim_end_matches('\u{b7}').trim_end();
        wrapped(w, facts, &[], &dim_spec(), "  ", layout.width)?;
        w.write_all(b"  ")?;
    }
    colored(w, &path_spec(), &path)?;
    writeln!(w)?;
    if let Some(s) = &hit.snippet {
        // A snippet of the title would only repeat it.
        if !s.text.is_empty() && s.source != SnippetSource::Title {
            print_snippet(w, s, layout.width)?;
        }
    }
    if let Some(story) = &hit.story {
        super::stories::copies_line(w, story)?;
    }
    Ok(())
}

/// The snippet, indented, with `…` where it was cut out of a longer text.
fn print_snippet<W: WriteColor>(w: &mut W, s: &Snippet, width: Option<usize>) -> io::Result<()> {
    const ELLIPSIS: &str = "\u{2026}";
    let before = if s.cut_before { ELLIPSIS } else { "" };
    let after = if s.cut_after { ELLIPSIS } else { "" };
    let text = format!("{before}{}{after}", s.text);
    let shift = before.len();
    let highlights: Vec<(usize, usize)> = s
        .highlights
        .iter()
        .map(|&(a, b)| (a + shift, b + shift))
        .collect();
    wrapped(w, &text, &highlights, &ColorSpec::new(), "  ", width)
}

/// `text` made safe for the terminal and wrapped to `width` (each line after `indent`),
/// its `highlights` in the match colour on top of `base`; each line ends with a newline.
fn wrapped<W: WriteColor>(
    w: &mut W,
    text: &str,
    highlights: &[(usize, usize)],
    base: &ColorSpec,
    indent: &str,
    width: Option<usize>,
) -> io::Result<()> {
    let (text, highlights) = safe::one_line_marked(text, highlights);
    let width = width.map(|cols| cols.saturating_sub(indent.len()));
    for (start, end) in wrap::lines(&text, width) {
        w.write_all(indent.as_bytes())?;
        let clipped: Vec<(usize, usize)> = highlights
            .iter()
            .filter(|&&(a, b)| a < end && b > start)
            .map(|&(a, b)| (a.max(start) - start, b.min(end) - start))
            .collect();
        marked(w, &text[start..end], &clipped, base)?;
        writeln!(w)?;
    }
    Ok(())
}

/// `text` in `base`, its `highlights` (byte ranges) in the match colour on top of it.
fn marked<W: WriteColor>(
    w: &mut W,
    text: &str,
    highlights: &[(usize, usize)],
    base: &ColorSpec,
) -> io::Result<()> {
    let mut matched = match_spec();
    matched.set_bold(true);
    let mut at = 0;
    for &(start, end) in highlights {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        colored(w, base, before)?;
        colored(w, &matched, word)?;
        at = end;
    }
    colored(w, base, text.get(at..).unwrap_or(""))
}

/// A bar of `value` against `max`, in eighths of a cell; at least a sliver when non-zero.
fn bar(value: u64, max: u64) -> String {
    const PARTS: [char; 8] = [
        '\u{258f}', '\u{258e}', '\u{258d}', '\u{258c}', '\u{258b}', '\u{258a}', '\u{2589}',
        '\u{2588}',
    ];
    if max == 0 || value == 0 {
        return String::new();
    }
    let eighths = ((value as u128 * (BAR_WIDTH as u128) * 8) / max as u128).max(1) as usize;
    let mut s = "\u{2588}".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8 - 1]);
    }
    s
}

/// Columns `text` takes on a terminal.
fn columns(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// Rows of `label  bar  count`, labels padded to the widest.
fn chart<W: WriteColor>(w: &mut W, rows: &[(String, u64)]) -> io::Result<()> {
    chart_with_stories(w, rows, &[])
}

/// [`chart`] with ` in N stories` after the counts whose documents hold copies of one
/// story (`stories[i]` for `rows[i]`, where known).
fn chart_with_stories<W: WriteColor>(
    w: &mut W,
    rows: &[(String, u64)],
    stories: &[Option<u64>],
) -> io::Result<()> {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let labels: Vec<String> = rows.iter().map(|r| safe::one_line(&r.0).into()).collect();
    let label_width = labels.iter().map(|l| columns(l)).max().unwrap_or(0);
    let count_width = rows.iter().map(|r| thousands(r.1).len()).max().unwrap_or(0);
    for (i, ((_, value), label)) in rows.iter().zip(&labels).enumerate() {
        let bar = bar(*value, max);
        let pad = label_width - columns(label);
        write!(w, "  {label}{:pad$}  ", "")?;
        colored(w, &bar_spec(), &bar)?;
        let pad = BAR_WIDTH + 1 - bar.chars().count().min(BAR_WIDTH);
        write!(w, "{:pad$}{:>count_width$}", "", thousands(*value))?;
        match stories.get(i).copied().flatten() {
            Some(n) if n != *value => writeln!(w, " in {}", count(n, "story", "stories"))?,
            _ => writeln!(w)?,
        }
    }
    Ok(())
}

/// A list's heading, saying "(top N of M…)" when the list shows only the first N.
fn top_heading(title: &str, shown: usize, total: u64, hint: &str) -> String {
    if total > shown as u64 {
        format!("{title} (top {shown} of {}{hint})", thousands(total))
    } else {
        title.to_string()
    }
}

fn print_facets<W: WriteColor>(w: &mut W, f: &Facets) -> io::Result<()> {
    let heading = top_heading("By source", f.sources.len(), f.source_total, "");
    colored(w, &title_spec(), &heading)?;
    writeln!(w)?;
    let sources: Vec<(String, u64)> = f
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.count))
        .collect();
    let source_stories: Vec<Option<u64>> = f.sources.iter().map(|s| s.stories).collect();
    chart_with_stories(w, &sources, &source_stories)?;
    let (mut rows, mut stories): (Vec<(String, u64)>, Vec<Option<u64>>) =
        if f.months.len() > MAX_MONTH_ROWS {
            colored(w, &title_spec(), "By year")?;
            // A month's stories are those that start in it: they add up.
            let mut years: Vec<(String, u64)> = Vec::new();
            let mut stories: Vec<Option<u64>> = Vec::new();
            for m in &f.months {
                let label = format!("{:04}", m.year);
                match (years.last_mut(), stories.last_mut()) {
                    (Some(last), Some(s)) if last.0 == label => {
                        last.1 += m.count;
                        *s = s.zip(m.stories).map(|(a, b)| a + b);
                    }
                    _ => {
                        years.push((label, m.count));
                        stories.push(m.stories);
                    }
                }
            }
            (years, stories)
        } else {
            colored(w, &title_spec(), "By month")?;
            f.months
                .iter()
                .map(|m| {
                    (
                        (format!("{:04}-{:02}", m.year, m.month), m.count),
                        m.stories,
                    )
                })
                .unzip()
        };
    writeln!(w)?;
    if f.undated > 0 {
        rows.push(("undated".to_string(), f.undated));
        stories.push(f.undated_stories);
    }
    chart_with_stories(w, &rows, &stories)
}

/// A `label value` line of a document's or an index's facts.
fn fact<W: WriteColor>(w: &mut W, label: &str, value: &str) -> io::Result<()> {
    wrapped_fact(w, label, value, None)
}

/// A `label value` fact whose value wraps to `width`, under itself.
fn wrapped_fact<W: WriteColor>(
    w: &mut W,
    label: &str,
    value: &str,
    width: Option<usize>,
) -> io::Result<()> {
    const LABEL: usize = 10;
    colored(w, &dim_spec(), &format!("{label:<LABEL$}"))?;
    let value = safe::one_line(value);
    let width = width.map(|cols| cols.saturating_sub(LABEL));
    for (i, (start, end)) in wrap::lines(&value, width).into_iter().enumerate() {
        if i > 0 {
            write!(w, "{:LABEL$}", "")?;
        }
        writeln!(w, "{}", &value[start..end])?;
    }
    Ok(())
}

/// A source as people know it: its name, and the slug `--source` also takes when it
/// differs.
fn source_name(name: &str, slug: &str) -> String {
    if name.is_empty() || name == slug {
        slug.to_string()
    } else {
        format!("{name} ({slug})")
    }
}

pub fn document<W: WriteColor>(
    w: &mut W,
    d: &Document,
    teasers: Option<FileTeasers<'_>>,
    layout: &Layout,
) -> io::Result<()> {
    wrapped(w, &d.title, &[], &title_spec(), "", layout.width)?;
    fact(w, "id", &format!("{} ({})", d.id, d.kind.name()))?;
    fact(w, "date", &day(d.date))?;
    fact(w, "source", &source_name(&d.source, &d.source_slug))?;
    if let Some(byline) = &d.byline {
        wrapped_fact(w, "byline", byline, layout.width)?;
    }
    if let Some(m) = d.read_minutes {
        fact(w, "read", &format!("{m} min"))?;
    }
    let path_label = if d.kind == DocKind::Teaser {
        "first in"
    } else {
        "path"
    };
    colored(w, &dim_spec(), &format!("{path_label:<10}"))?;
    colored(w, &path_spec(), &layout.show(&d.path))?;
    writeln!(w)?;
    if let Some(t) = &d.teaser {
        let mut seen = count(t.seen_count, "file", "files");
        if let Some(last) = t.last_seen {
            seen.push_str(&format!(", last on {}", last.format("%Y-%m-%d")));
        }
        fact(w, "seen in", &seen)?;
        if t.truncated {
            fact(w, "summary", "cut mid-sentence")?;
        }
        if let Some(article) = &d.article_id {
            fact(
                w,
                "article",
                &format!("{article} (same title; search lists the article)"),
            )?;
        }
    }
    if let Some(n) = d.seen_as_teaser.filter(|&n| n > 0) {
        fact(w, "teased in", &count(n, "file", "files"))?;
    }
    if !d.captions.is_empty() {
        writeln!(w)?;
        colored(w, &title_spec(), "Captions")?;
        writeln!(w)?;
        for (text, credit) in &d.captions {
            let line = match credit {
                Some(credit) => format!("\u{2022} {text} \u{2014} {credit}"),
                None => format!("\u{2022} {text}"),
            };
            wrapped(w, &line, &[], &ColorSpec::new(), "  ", layout.width)?;
        }
    }
    if !d.body.trim().is_empty() {
        writeln!(w)?;
        paragraphs(w, d.body.trim_end(), layout.width)?;
    }
    if let Some(story) = &d.story {
        super::stories::copies_list(w, story, layout)?;
    }
    match teasers {
        Some(Ok(list)) if !list.is_empty() => {
            writeln!(w)?;
            colored(
                w,
                &title_spec(),
                &format!("Teasers in this file ({})", list.len()),
            )?;
            writeln!(w)?;
            for t in list {
                let title = format!("\u{2022} {}", t.title);
                wrapped(w, &title, &[], &ColorSpec::new(), "  ", layout.width)?;
                if !t.summary.is_empty() {
                    let mark = if t.truncated { "\u{2026}" } else { "" };
                    let summary = format!("{}{mark}", t.summary);
                    wrapped(w, &summary, &[], &dim_spec(), "    ", layout.width)?;
                }
            }
        }
        Some(Ok(_)) => {
            writeln!(w)?;
            colored(w, &dim_spec(), "No teasers in this file.")?;
            writeln!(w)?;
        }
        Some(Err(why)) => {
            writeln!(w)?;
            colored(w, &dim_spec(), &safe::one_line(&format!("Teasers: {why}")))?;
            writeln!(w)?;
        }
        None => {}
    }
    Ok(())
}

/// A body: its paragraphs (lines) each wrapped, blank lines kept.
fn paragraphs<W: WriteColor>(w: &mut W, body: &str, width: Option<usize>) -> io::Result<()> {
    for line in body.lines() {
        if line.trim().is_empty() {
            writeln!(w)?;
        } else {
            wrapped(w, line, &[], &ColorSpec::new(), "", width)?;
        }
    }
    Ok(())
}

/// `1536` → `1.5 KB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn stats<W: WriteColor>(w: &mut W, s: &IndexStats, dir: &Path) -> io::Result<()> {
    fact(
        w,
        "index",
        &format!(
            "{} ({}, {})",
            dir.display(),
            size(s.size_bytes),
            count(s.segments as u64, "segment", "segments")
        ),
    )?;
    fact(w, "documents", &thousands(s.documents))?;
    fact(
        w,
        "articles",
        &format!(
            "{} ({} undated)",
            thousands(s.articles),
            thousands(s.undated_articles)
        ),
    )?;
    fact(
        w,
        "teasers",
        &format!(
            "{} ({} with the title of an indexed article)",
            thousands(s.teasers),
            thousands(s.folded_teasers)
        ),
    )?;
    fact(
        w,
        "stories",
        &format!(
            "{} ({} with copies, holding {} articles)",
            thousands(s.stories),
            thousands(s.stories_with_copies),
            thousands(s.articles_with_copies)
        ),
    )?;
    let range = match (s.first_date, s.last_date) {
        (Some(a), Some(b)) => format!("{} .. {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
        _ => "none".to_string(),
    };
    fact(w, "dates", &range)?;
    fact(w, "sources", &thousands(s.sources))?;
    if !s.top_sources.is_empty() {
        writeln!(w)?;
        let heading = top_heading(
            "Articles by source",
            s.top_sources.len(),
            s.sources,
            "; `newsfind sources` lists them all",
        );
        colored(w, &title_spec(), &heading)?;
        writeln!(w)?;
        let rows: Vec<(String, u64)> = s
            .top_sources
            .iter()
            .map(|c| (c.name.clone(), c.count))
            .collect();
        chart(w, &rows)?;
    }
    if !s.years.is_empty() || s.undated_articles > 0 {
        writeln!(w)?;
        colored(w, &title_spec(), "Articles by year")?;
        writeln!(w)?;
        let mut rows: Vec<(String, u64)> = s
            .years
            .iter()
            .map(|(y, n)| (format!("{y:04}"), *n))
            .collect();
        if s.undated_articles > 0 {
            rows.push(("undated".to_string(), s.undated_articles));
        }
        chart(w, &rows)?;
    }
    Ok(())
}

/// Every source: name (and slug), articles, first and last date; one line each.
pub fn sources<W: WriteColor>(w: &mut W, list: &[SourceSummary]) -> io::Result<()> {
    colored(
        w,
        &dim_spec(),
        &format!(
            "{}, by articles (first and last date)",
            count(list.len() as u64, "source", "sources")
        ),
    )?;
    writeln!(w)?;
    let names: Vec<String> = list
        .iter()
        .map(|s| safe::one_line(&source_name(&s.name, &s.slug)).into_owned())
        .collect();
    let name_width = names.iter().map(|n| columns(n)).max().unwrap_or(0);
    let count_width = list
        .iter()
        .map(|s| thousands(s.articles).len())
        .max()
        .unwrap_or(0);
    for (s, name) in list.iter().zip(&names) {
        let pad = name_width - columns(name);
        write!(
            w,
            "  {name}{:pad$}  {:>count_width$}  ",
            "",
            thousands(s.articles)
        )?;
        let dates = match (s.first, s.last) {
            (Some(a), Some(b)) => format!("{} .. {}", day(Some(a)), day(Some(b))),
            _ => "undated".to_string(),
        };
        colored(w, &dim_spec(), &dates)?;
        writeln!(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use termcolor::{Ansi, NoColor};

    use super::*;
    use crate::search::{MonthCount, SearchResults, SourceCount, TeaserStats};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sample() -> SearchResults {
        SearchResults {
            total: 2,
            stories: 2,
            offset: 0,
            hits: vec![
                Hit {
                    id: "a0000000000000001".into(),
                    kind: DocKind::Article,
                    title: "UK to lead Ukraine group".into(),
                    date: Some(d("2025-02-06")),
                    source: "The Telegraph".into(),
                    source_slug: "the-telegraph".into(),
                    path: "/home/me/news/data/001.txt".into(),
                    score: 3.5,
                    snippet: Some(Snippet {
                        text: "the Ukraine defence group".into(),
                        highlights: vec![(4, 11)],
                        source: SnippetSource::Body,
                        cut_before: true,
                        cut_after: false,
                    }),
                    title_highlights: vec![(10, 17)],
                    teaser: None,
                    seen_as_teaser: Some(3),
                    story: None,
                },
                Hit {
                    id: "t0000000000000002".into(),
                    kind: DocKind::Teaser,
                    title: "Ukraine talks".into(),
                    date: None,
                    source: "Reuters".into(),
                    source_slug: "reuters".into(),
                    path: "/elsewhere/002.txt".into(),
                    score: 1.0,
                    snippet: None,
                    title_highlights: vec![],
                    teaser: Some(TeaserStats {
                        seen_count: 1,
                        last_seen: None,
                        truncated: true,
                    }),
                    seen_as_teaser: None,
                    story: None,
                },
            ],
            facets: Some(Facets {
                source_total: 2,
                sources: vec![
                    SourceCount {
                        slug: "reuters".into(),
                        name: "Reuters".into(),
                        count: 16,
                        stories: Some(16),
                    },
                    SourceCount {
                        slug: "bbc".into(),
                        name: "BBC".into(),
                        count: 3,
                        stories: Some(3),
                    },
                ],
                months: vec![
                    MonthCount {
                        year: 2025,
                        month: 1,
                        count: 4,
                        stories: Some(4),
                    },
                    MonthCount {
                        year: 2025,
                        month: 2,
                        count: 1,
                        stories: Some(1),
                    },
                ],
                undated: 0,
                undated_stories: Some(0),
            }),
            notes: vec![],
            matching: crate::search::Matching {
                strategy: crate::search::MatchStrategy::All,
                words: 1,
                required: 1,
                fell_back: false,
                with_all: 0,
            },
            suggestion: None,
        }
    }

    #[test]
    fn plain_text() {
        let mut out = NoColor::new(Vec::new());
        let style = Layout {
            cwd: Some("/home/me/news".into()),
            width: None,
        };
        results(&mut out, &sample(), &style).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        let want = "\
2 matches

UK to lead Ukraine group
  a0000000000000001 \u{b7} 2025-02-06 \u{b7} The Telegraph \u{b7} article, teased in 3 files \u{b7} data/001.txt
  \u{2026}the Ukraine defence group

Ukraine talks
  t0000000000000002 \u{b7} undated \u{b7} Reuters \u{b7} teaser seen in 1 file, first in /elsewhere/002.txt

By source
  Reuters  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588} 16
  BBC      \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{258b}                          3
By month
  2025-01  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588} 4
  2025-02  \u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{2588}\u{258c}                       1
";
        assert_eq!(text, want);
    }

    #[test]
    fn colour_marks_the_matches() {
        let mut out = Ansi::new(Vec::new());
        results(&mut out, &sample(), &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        // Red bold around the matched word, reset after it.
        assert!(
            text.contains("the \x1b[0m\x1b[1m\x1b[31mUkraine\x1b[0m defence"),
            "{text:?}"
        );
    }

    #[test]
    fn header_with_a_window() {
        let mut r = sample();
        r.total = 40;
        r.stories = 40;
        r.offset = 10;
        r.facets = None;
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.starts_with("40 matches, showing 11-12\n"), "{text}");
        r.hits.clear();
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        assert_eq!(
            String::from_utf8(out.into_inner()).unwrap(),
            "40 matches, none from 11 on\n"
        );
    }

    #[test]
    fn wraps_to_the_width_and_keeps_highlights() {
        let mut r = sample();
        r.facets = None;
        r.hits.truncate(1);
        let hit = &mut r.hits[0];
        hit.title = "A title long enough to need a second line here".into();
        hit.title_highlights = vec![(2, 7)];
        let snippet = hit.snippet.as_mut().unwrap();
        snippet.text = "one two three four five six seven eight nine ten eleven".into();
        snippet.highlights = vec![(34, 39), (49, 55)];
        let layout = Layout {
            cwd: None,
            width: Some(24),
        };
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &layout).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[2..9],
            [
                "A title long enough to",
                "need a second line here",
                "  a0000000000000001 \u{b7}",
                "  2025-02-06 \u{b7} The",
                "  Telegraph \u{b7} article,",
                "  teased in 3 files",
                "  /home/me/news/data/001.txt"
            ]
        );
        assert_eq!(
            lines[9..],
            [
                "  \u{2026}one two three four",
                "  five six seven eight",
                "  nine ten eleven"
            ]
        );
        // In colour, the highlight cut by no break stays whole, on its line.
        let mut out = Ansi::new(Vec::new());
        results(&mut out, &r, &layout).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.contains("\x1b[31meight\x1b[0m\n"), "{text:?}");
        assert!(text.contains("\x1b[31meleven\x1b[0m\n"), "{text:?}");
        // Unwrapped in a pipe.
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            text.contains("\n  \u{2026}one two three four five six seven eight nine ten eleven\n")
        );
    }

    #[test]
    fn escapes_in_files_do_not_reach_the_terminal() {
        let mut r = sample();
        r.hits[0].title = "Title\x1b[2J\x1b]52;c;aGk=\x07".into();
        r.hits[0].title_highlights = vec![];
        r.hits[0].source = "Src\x1b]0;owned\x07".into();
        r.hits[0].path = "/x/\x1b[31mred.txt".into();
        r.hits[0].snippet.as_mut().unwrap().text = "body \u{9b}2J text".into();
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{9b}'));
        assert!(
            text.contains("Title\u{241b}[2J\u{241b}]52;c;aGk=\u{2407}"),
            "{text}"
        );
    }

    #[test]
    fn sources_table() {
        let list = vec![
            SourceSummary {
                slug: "reuters".into(),
                name: "Reuters".into(),
                articles: 1234,
                first: Some(d("2012-01-03")),
                last: Some(d("2020-12-31")),
            },
            SourceSummary {
                slug: "vox".into(),
                name: "vox".into(),
                articles: 7,
                first: None,
                last: None,
            },
        ];
        let mut out = NoColor::new(Vec::new());
        sources(&mut out, &list).unwrap();
        assert_eq!(
            String::from_utf8(out.into_inner()).unwrap(),
            "2 sources, by articles (first and last date)
  Reuters (reuters)  1,234  2012-01-03 .. 2020-12-31
  vox                    7  undated
"
        );
    }

    #[test]
    fn facets_say_how_many_sources_are_left_out() {
        let mut r = sample();
        r.hits.clear();
        r.facets.as_mut().unwrap().source_total = 491;
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.contains("\nBy source (top 2 of 491)\n"), "{text}");
    }

    #[test]
    fn facets_say_stories_where_copies_repeat_one() {
        let mut r = sample();
        r.hits.clear();
        let f = r.facets.as_mut().unwrap();
        f.sources[0].stories = Some(12);
        f.months[0].stories = Some(1);
        f.undated = 2;
        f.undated_stories = Some(2);
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        let line = |label: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("no {label} line in {text}"))
                .to_string()
        };
        assert!(line("Reuters").ends_with(" 16 in 12 stories"), "{text}");
        assert!(line("BBC").ends_with(" 3"), "{text}");
        assert!(line("2025-01").ends_with(" 4 in 1 story"), "{text}");
        assert!(line("2025-02").ends_with(" 1"), "{text}");
        assert!(line("undated").ends_with(" 2"), "{text}");
        // Where stories are not counted (a cluster), counts alone.
        let f = r.facets.as_mut().unwrap();
        f.sources[0].stories = None;
        let mut out = NoColor::new(Vec::new());
        results(&mut out, &r, &Layout::default()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(!text.contains("in 12 stories"), "{text}");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(37554), "37,554");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KB");
        assert_eq!(bar(0, 10), "");
        assert_eq!(bar(1, 1_000_000).chars().count(), 1);
    }
}
