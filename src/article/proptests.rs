//! Property tests of the parser: it never panics, every non-blank line lands in exactly
//! one place, and a file rendered from known parts parses back into those parts.

use proptest::prelude::*;

use super::parse::{parse_with_roles, Role};
use super::{parse_article, Article};

/// Words, including ones that look like the format's markers.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z]{1,9}",
        1 => Just("date".to_string()),
        1 => Just("ADVERTISEMENT".to_string()),
        1 => Just("\u{2022}".to_string()),
        1 => Just("\u{b7}3".to_string()),
        1 => Just("-".to_string()),
        1 => Just("2020-01-02".to_string()),
        1 => Just("Stories".to_string()),
    ]
}

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..max).prop_map(|w| w.join(" "))
}

/// A sentence that does not start like a bullet, a caption credit or a marker.
fn sentence() -> impl Strategy<Value = String> {
    (
        "[A-Z][a-z]{2,8}",
        words(12),
        prop_oneof![Just("."), Just("!"), Just("")],
    )
        .prop_map(|(first, rest, end)| format!("{first} {rest}{end}"))
}

#[derive(Debug, Clone)]
struct Parts {
    source: Option<String>,
    date: Option<(i32, u32, u32)>,
    title: String,
    byline: Option<String>,
    minutes: Option<u32>,
    captions: Vec<(String, String)>,
    paragraphs: Vec<String>,
    ads_every: usize,
    teasers: Vec<(String, String)>,
    heading: &'static str,
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        prop::option::of("[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?"),
        prop::option::of((1990..2030i32, 1..=12u32, 1..=28u32)),
        sentence(),
        prop::option::of("[A-Z][a-z]{2,8} [A-Z][a-z]{2,8}"),
        prop::option::of(1..60u32),
        prop::collection::vec((sentence(), "[A-Z]{2,6}/[A-Z][a-z]{2,6}"), 0..3),
        prop::collection::vec(sentence(), 1..12),
        2..6usize,
        prop::collection::vec(
            (sentence(), prop_oneof![sentence(), Just(String::new())]),
            0..6,
        ),
        prop_oneof![
            Just("Latest Stories"),
            Just("Related Stories"),
            Just("More Stories"),
            Just("Recommended Stories")
        ],
    )
        .prop_map(
            |(
                source,
                date,
                title,
                byline,
                minutes,
                captions,
                paragraphs,
                ads_every,
                teasers,
                heading,
            )| Parts {
                source,
                date,
                title,
                // The parser only takes a byline followed by a read time.
                byline: byline.filter(|_| minutes.is_some()),
                minutes,
                captions,
                paragraphs,
                ads_every,
                teasers,
                heading,
            },
        )
}

fn render(p: &Parts) -> String {
    let date = p.date.map_or("None".to_string(), |(y, m, d)| {
        format!("{y:04}-{m:02}-{d:02}")
    });
    let mut lines = vec![
        format!(
            "{} date {date} {}",
            p.source.as_deref().unwrap_or(""),
            p.title
        ),
        String::new(),
    ];
    lines.extend(p.byline.clone());
    lines.extend(p.minutes.map(|m| format!("\u{b7}{m} min read")));
    for (text, credit) in &p.captions {
        lines.push(text.clone());
        lines.push(format!("{text} - {credit}"));
    }
    lines.push(String::new());
    for (k, para) in p.paragraphs.iter().enumerate() {
        lines.push(para.clone());
        lines.push(String::new());
        if k > 0 && k % p.ads_every == 0 {
            lines.push("ADVERTISEMENT".into());
            lines.push(String::new());
        }
    }
    if !p.teasers.is_empty() {
        lines.push(p.heading.into());
        lines.push(String::new());
        for (title, summary) in &p.teasers {
            lines.push(format!("  \u{2022} {title}"));
            lines.push(String::new());
            lines.push(format!("    {summary}"));
            lines.push(String::new());
        }
    }
    lines.join("\n")
}

fn check_roles(text: &str) -> Result<Vec<Option<Role>>, TestCaseError> {
    let (_, roles) = parse_with_roles(text);
    let lines: Vec<&str> = text.lines().collect();
    prop_assert_eq!(lines.len(), roles.len());
    for (line, role) in lines.iter().zip(&roles) {
        prop_assert_eq!(
            line.trim().is_empty(),
            role.is_none(),
            "line {:?} has role {:?}",
            line,
            role
        );
    }
    Ok(roles)
}

/// Every word of every non-blank line shows up in the part its role names.
fn check_nothing_lost(
    text: &str,
    a: &Article,
    roles: &[Option<Role>],
) -> Result<(), TestCaseError> {
    let teaser_text: String = a
        .teasers
        .iter()
        .map(|t| format!("{} {} ", t.title, t.summary))
        .collect();
    let captions: String = a
        .captions
        .iter()
        .map(|c| format!("{} - {} ", c.text, c.credit.as_deref().unwrap_or("")))
        .collect();
    let body = a.body();
    for (line, role) in text.lines().zip(roles) {
        let Some(role) = role else { continue };
        let home: String = match role {
            Role::Header => format!(
                "{} date {} {}",
                a.source.as_deref().unwrap_or(""),
                a.date.map(|d| d.to_string()).unwrap_or_default(),
                a.title
            ),
            Role::Byline => a.byline.clone().unwrap_or_default(),
            Role::ReadTime => continue,
            Role::Caption | Role::Credit => captions.clone(),
            Role::Body => body.clone(),
            Role::TeaserTitle | Role::TeaserSummary => teaser_text.clone(),
            Role::Advertisement | Role::TeaserHeading => continue,
        };
        for w in line.split_whitespace() {
            // The header's date value is dropped when it is not a date.
            if *role == Role::Header && (w == "date" || a.date.is_none()) {
                continue;
            }
            if *role == Role::TeaserTitle && w == "\u{2022}" {
                continue;
            }
            prop_assert!(
                home.contains(w),
                "{:?} of {:?} line {:?} is lost",
                w,
                role,
                line
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_and_keeps_every_line(text in "(\\PC{0,40}\n){0,30}") {
        let roles = check_roles(&text)?;
        let a = parse_article(&text);
        check_nothing_lost(&text, &a, &roles)?;
    }

    #[test]
    fn marker_soup_keeps_every_line(lines in prop::collection::vec(prop_oneof![
        words(8),
        Just(String::new()),
        Just("ADVERTISEMENT".to_string()),
        Just("Latest Stories".to_string()),
        Just("  \u{2022} A teaser".to_string()),
        Just("      \u{2022} deeper".to_string()),
        Just("\u{b7}2 min read".to_string()),
        Just("Cap".to_string()),
        Just("Cap - Credit".to_string()),
    ], 0..40)) {
        let text = lines.join("\n");
        let roles = check_roles(&text)?;
        check_nothing_lost(&text, &parse_article(&text), &roles)?;
    }

    #[test]
    fn rendered_parts_parse_back(p in parts()) {
        let text = render(&p);
        let a = parse_article(&text);
        prop_assert_eq!(&a.title, &p.title);
        prop_assert_eq!(a.source.as_deref(), p.source.as_deref());
        prop_assert_eq!(a.date.map(|d| d.to_string()), p.date.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")));
        prop_assert_eq!(a.byline.as_deref(), p.byline.as_deref());
        prop_assert_eq!(a.read_minutes, p.minutes);
        let captions: Vec<(String, String)> = a.captions.iter().map(|c| (c.text.clone(), c.credit.clone().unwrap_or_default())).collect();
        prop_assert_eq!(captions, p.captions.clone());
        prop_assert_eq!(&a.paragraphs, &p.paragraphs);
        let teasers: Vec<(String, String)> = a.teasers.iter().map(|t| (t.title.clone(), t.summary.clone())).collect();
        prop_assert_eq!(teasers, p.teasers.clone());
        let roles = check_roles(&text)?;
        check_nothing_lost(&text, &a, &roles)?;
    }
}
