//! The only code that formats results: text (colour), json, jsonl, paths.
