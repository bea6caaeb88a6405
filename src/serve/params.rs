//! The query string of `/api/search` to a [`SearchRequest`], through the command line's
//! own parser and `cmd::search::request`: every parameter means what the flag of the same
//! name means (`source=` is `--source`), with the same defaults, forms and messages.
//! On top, the server's limits: query length, page size and depth.

use std::borrow::Cow;

use chrono::NaiveDate;
use clap::error::ContextKind;
use clap::Parser;

use crate::cli::SearchArgs;
use crate::search::SearchRequest;

/// Longest query, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_000;
/// Most hits on one page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start: every search keeps `offset + limit` candidates in memory.
pub const MAX_OFFSET: usize = 10_000;
/// Most `source=` parameters.
pub const MAX_SOURCES: usize = 50;

/// URL parameters that are flags of `newsfind search`, by the same name.
const FLAGS: &[&str] = &[
    "since", "until", "on", "source", "kind", "sort", "limit", "offset", "match",
];

/// A parameter the server refuses, and why (a 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam {
    pub message: String,
    /// The parameter at fault, when one is.
    pub parameter: Option<String>,
}

impl BadParam {
    pub fn new(message: impl Into<String>, parameter: Option<&str>) -> BadParam {
        BadParam {
            message: message.into(),
            parameter: parameter.map(str::to_string),
        }
    }
}

/// `newsfind search`'s arguments, parsed on their own.
#[derive(Debug, Parser)]
#[command(
    name = "search",
    no_binary_name = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct SearchParams {
    #[command(flatten)]
    args: SearchArgs,
}

/// The pairs of a query string, percent-decoded (bad UTF-8 becomes U+FFFD).
pub fn pairs(raw: Option<&str>) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).collect()
}

/// A boolean parameter: present and empty, `1`, `true`, `yes`, `on`; or `0`, `false`,
/// `no`, `off`.
pub fn flag(name: &str, value: &str) -> Result<bool, BadParam> {
    match value.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(BadParam::new(
            format!("{name}={value:?} is not a yes or no (1, true, 0, false)"),
            Some(name),
        )),
    }
}

/// A query given as `q`, within [`MAX_QUERY_BYTES`].
pub fn query(value: &str) -> Result<String, BadParam> {
    if value.len() > MAX_QUERY_BYTES {
        return Err(BadParam::new(
            format!(
                "the query is {} bytes long; at most {MAX_QUERY_BYTES} are allowed",
                value.len()
            ),
            Some("q"),
        ));
    }
    Ok(value.to_string())
}

/// The search a query string asks for.
pub fn search_request(raw: Option<&str>, today: NaiveDate) -> Result<SearchRequest, BadParam> {
    let mut q = None;
    let mut facets = false;
    let mut argv: Vec<String> = Vec::new();
    let mut sources = 0;
    for (name, value) in pairs(raw) {
        match name.as_ref() {
            "q" if q.is_some() => {
                return Err(BadParam::new("q is given twice", Some("q")));
            }
            "q" => q = Some(query(&value)?),
            "facets" => facets = flag("facets", &value)?,
            name if FLAGS.contains(&name) => {
                if name == "source" {
                    sources += 1;
                    if sources > MAX_SOURCES {
                        return Err(BadParam::new(
                            format!("more than {MAX_SOURCES} sources"),
                            Some("source"),
                        ));
                    }
                }
                // `--flag=value`: a value starting with `-` stays a value.
                argv.push(format!("--{name}={value}"));
            }
            other => {
                return Err(BadParam::new(
                    format!(
                        "unknown parameter {other:?}: give q, {}, facets",
                        FLAGS.join(", ")
                    ),
                    Some(other),
                ));
            }
        }
    }
    let Some(q) = q else {
        return Err(BadParam::new(
            "missing parameter q, the query ('*' for every document)",
            Some("q"),
        ));
    };
    if facets {
        argv.push("--facets".to_string());
    }
    argv.push("--format=json".to_string());
    argv.push("--".to_string());
    argv.push(q);
    let args = SearchParams::try_parse_from(argv)
        .map_err(|err| clap_error(&err))?
        .args;
    if let Some(limit) = args.limit.filter(|&n| n > MAX_LIMIT) {
        // `-n all` is usize::MAX.
        let given = if limit == usize::MAX {
            "all".to_string()
        } else {
            limit.to_string()
        };
        return Err(BadParam::new(
            format!("limit={given} is over {MAX_LIMIT} hits a page"),
            Some("limit"),
        ));
    }
    if args.offset > MAX_OFFSET {
        return Err(BadParam::new(
            format!(
                "offset={} is past {MAX_OFFSET}: narrow the search (dates, sources) instead",
                args.offset
            ),
            Some("offset"),
        ));
    }
    crate::cmd::search::request(&args, today).map_err(|err| {
        let message = parameter_names(&format!("{err:#}"));
        let parameter = FLAGS
            .iter()
            .find(|flag| format!("{err:#}").starts_with(&format!("--{flag} ")))
            .copied();
        BadParam::new(message, parameter)
    })
}

/// A clap error as a one-line message naming the URL parameter.
fn clap_error(err: &clap::Error) -> BadParam {
    let text = err.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("For more information")
                && !l.starts_with("Usage:")
                && !l.starts_with("tip:")
        })
        .collect();
    let message = lines.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let parameter = match err.get(ContextKind::InvalidArg) {
        Some(clap::error::ContextValue::String(arg)) => FLAGS
            .iter()
            .find(|f| arg.starts_with(&format!("--{f} ")) || arg == &format!("--{f}"))
            .copied(),
        _ => None,
    };
    BadParam::new(parameter_names(message), parameter)
}

/// `--kind <KIND>`, `--match <HOW>` and `--kind` become `kind`, `match`: the user wrote
/// a URL, not a command.
fn parameter_names(message: &str) -> String {
    let mut out = message.to_string();
    for flag in FLAGS {
        let long = format!("--{flag} <");
        while let Some(start) = out.find(&long) {
            let Some(len) = out[start..].find('>') else {
                break;
            };
            out.replace_range(start..start + len + 1, flag);
        }
        out = out.replace(&format!("--{flag}"), flag);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 2, 6).unwrap()
    }

    fn bad(raw: &str) -> BadParam {
        search_request(Some(raw), today()).expect_err(raw)
    }

    #[test]
    fn parameters_mean_the_flags() {
        let req = search_request(
            Some("q=budget+%22talks%22&source=bbc&source=the-hill&kind=article&sort=newest&limit=3&offset=2&facets=1&since=2024&match=any"),
            today(),
        )
        .unwrap();
        assert_eq!(req.query, "budget \"talks\"");
        assert_eq!(req.sources, ["bbc", "the-hill"]);
        assert_eq!(req.limit, 3);
        assert_eq!(req.offset, 2);
        assert_eq!(req.matching, Some(crate::search::MatchStrategy::Any));
        assert!(req.facets && req.snippets);
        let defaults = search_request(Some("q=x"), today()).unwrap();
        assert_eq!(
            (defaults.limit, defaults.offset, defaults.facets),
            (10, 0, false)
        );
    }

    #[test]
    fn a_query_starting_with_a_dash_is_a_query() {
        let req = search_request(Some("q=-budget+talks"), today()).unwrap();
        assert_eq!(req.query, "-budget talks");
        let req = search_request(Some("q=--help"), today()).unwrap();
        assert_eq!(req.query, "--help");
    }

    #[test]
    fn bad_parameters_are_named() {
        let cases = [
            ("", "q"),
            ("q=x&q=y", "q"),
            ("q=x&kind=poem", "kind"),
            ("q=x&sort=best", "sort"),
            ("q=x&limit=abc", "limit"),
            ("q=x&limit=101", "limit"),
            ("q=x&offset=-1", "offset"),
            ("q=x&offset=10001", "offset"),
            ("q=x&since=tomorrowish", "since"),
            ("q=x&on=2024&since=2023", "on"),
            ("q=x&facets=maybe", "facets"),
            ("q=x&match=some", "match"),
            ("q=x&format=paths", "format"),
            ("q=x&today=2020-01-01", "today"),
            ("q=x&index=/etc", "index"),
        ];
        for (raw, param) in cases {
            let err = bad(raw);
            assert_eq!(err.parameter.as_deref(), Some(param), "{raw}: {err:?}");
            assert!(!err.message.contains("--"), "{raw}: {}", err.message);
            assert!(!err.message.contains('<'), "{raw}: {}", err.message);
            assert!(!err.message.contains('\n'), "{raw}: {}", err.message);
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_BYTES + 1));
        assert_eq!(bad(&long).parameter.as_deref(), Some("q"));
        let many: String = (0..=MAX_SOURCES).map(|i| format!("&source=s{i}")).collect();
        assert_eq!(
            bad(&format!("q=x{many}")).parameter.as_deref(),
            Some("source")
        );
    }
}
