//! How stories print: the copies folded into a hit, an article's copies (`show`), and the
//! article `similar` starts from; as text and as JSON.

use std::io::{self, Write};

use serde_json::{json, Value};
use termcolor::WriteColor;

use super::text::{colored, day, dim_spec, title_spec};
use super::{json as js, safe, Layout};
use crate::search::{Copy, Similar, StoryHit};

/// Sources named in a copies line at most.
const SOURCES_NAMED: usize = 8;

/// `and 6 copies: abc-news, washington-times (2), …` under a hit whose copies were
/// folded into it, or `2 copies among these matches: …` when they are hits too.
pub fn copies_line<W: WriteColor>(w: &mut W, story: &StoryHit) -> io::Result<()> {
    if story.copy_count == 0 {
        return Ok(());
    }
    let named = named_sources(&story.copies, story.copy_count);
    let copies = if story.copy_count == 1 {
        "copy"
    } else {
        "copies"
    };
    let line = if story.folded {
        format!("  and {} {copies}: {named}", story.copy_count)
    } else {
        format!(
            "  {} {copies} among these matches: {named}",
            story.copy_count
        )
    };
    colored(w, &dim_spec(), &line)?;
    writeln!(w)
}

/// `abc-news, washington-times (2), …`: the first [`SOURCES_NAMED`] sources of `copies`
/// (of `total` in all), each once with its count.
fn named_sources(copies: &[Copy], total: usize) -> String {
    let mut sources: Vec<(&str, usize)> = Vec::new();
    for c in copies {
        match sources.iter_mut().find(|(s, _)| *s == c.source_slug) {
            Some((_, n)) => *n += 1,
            None => sources.push((&c.source_slug, 1)),
        }
    }
    let mut named: Vec<String> = sources
        .iter()
        .take(SOURCES_NAMED)
        .map(|(s, n)| {
            let s = safe::one_line(s);
            if *n > 1 {
                format!("{s} ({n})")
            } else {
                s.into_owned()
            }
        })
        .collect();
    if sources.len() > SOURCES_NAMED || copies.len() < total {
        named.push("\u{2026}".to_string());
    }
    named.join(", ")
}

/// The copies of a shown article, one a line.
pub fn copies_list<W: WriteColor>(w: &mut W, story: &StoryHit, layout: &Layout) -> io::Result<()> {
    if story.copies.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    colored(
        w,
        &title_spec(),
        &format!(
            "Copies of this story ({}, story {})",
            story.copy_count, story.id
        ),
    )?;
    writeln!(w)?;
    for c in &story.copies {
        copy_line(w, c, layout)?;
    }
    Ok(())
}

fn copy_line<W: WriteColor>(w: &mut W, c: &Copy, layout: &Layout) -> io::Result<()> {
    writeln!(w, "  \u{2022} {}", safe::one_line(&c.title))?;
    colored(
        w,
        &dim_spec(),
        &format!(
            "    {} \u{b7} {} \u{b7} {} \u{b7} {}",
            day(c.date),
            safe::one_line(&c.source),
            c.id,
            layout.show(&c.path)
        ),
    )?;
    writeln!(w)
}

/// The head of `similar`'s text output: which article, and its own copies (left out).
pub fn similar_head<W: WriteColor>(w: &mut W, s: &Similar, layout: &Layout) -> io::Result<()> {
    colored(w, &dim_spec(), "Articles like")?;
    writeln!(w)?;
    copy_line(w, &s.of, layout)?;
    if !s.copies.is_empty() {
        colored(
            w,
            &dim_spec(),
            &format!(
                "  (its {} left out: {})",
                if s.copies.len() == 1 {
                    "copy is".to_string()
                } else {
                    format!("{} copies are", s.copies.len())
                },
                named_sources(&s.copies, s.copies.len())
            ),
        )?;
        writeln!(w)?;
    }
    writeln!(w)
}

pub fn copy_json(c: &Copy) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "date": js::date(c.date),
        "source": c.source,
        "source_slug": c.source_slug,
        "path": c.path,
    })
}

/// The story fields of a hit or a shown article.
pub fn story_json(o: &mut serde_json::Map<String, Value>, story: &StoryHit) {
    o.insert("story".into(), story.id.clone().into());
    o.insert("copy_count".into(), story.copy_count.into());
    o.insert(
        "copies".into(),
        story
            .copies
            .iter()
            .map(copy_json)
            .collect::<Vec<_>>()
            .into(),
    );
}

/// `similar` as one JSON object: the article, its copies, then the results' fields.
pub fn similar_json<W: Write>(w: &mut W, s: &Similar) -> io::Result<()> {
    let mut o = match js::results_value(&s.results) {
        Value::Object(o) => o,
        _ => serde_json::Map::new(),
    };
    o.insert("of".into(), copy_json(&s.of));
    o.insert(
        "of_copies".into(),
        s.copies.iter().map(copy_json).collect::<Vec<_>>().into(),
    );
    serde_json::to_writer(&mut *w, &Value::Object(o))?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(slug: &str) -> Copy {
        Copy {
            id: format!("id-{slug}"),
            title: "T".into(),
            date: None,
            source: slug.to_uppercase(),
            source_slug: slug.into(),
            path: format!("{slug}/x.txt"),
        }
    }

    #[test]
    fn sources_are_named_once_each_and_at_most_eight() {
        let few: Vec<Copy> = ["a", "b", "a"].iter().map(|s| copy(s)).collect();
        assert_eq!(named_sources(&few, 3), "a (2), b");
        // Fewer listed than there are: the rest is an ellipsis.
        assert_eq!(named_sources(&few, 5), "a (2), b, \u{2026}");
        let many: Vec<Copy> = (0..26).map(|i| copy(&format!("s{i}"))).collect();
        assert_eq!(
            named_sources(&many, 26),
            "s0, s1, s2, s3, s4, s5, s6, s7, \u{2026}"
        );
    }
}
