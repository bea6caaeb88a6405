//! `newsfind serve` over HTTP: the real binary on 127.0.0.1 port 0, on a temp copy of the
//! fixture archive (see tests/search.rs) plus a hostile article. Status codes, the JSON
//! contract shared with the CLI, bad parameters, limits, escaping, the token, a commit
//! picked up live; and the page in headless chromium (tests/browser/page_test.py) when
//! chromium, chromedriver and python3-selenium are installed. Every server is stopped
//! by a guard, also when a test fails.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{bin, ChildGuard, TestEnv};

const TODAY: &str = "2025-02-06";

const HOSTILE_TITLE: &str = "<script>alert(1)</script> Hostile <img src=x onerror=alert(2)>";
const HOSTILE_BODY: &str =
    "Click <a href=\"javascript:alert(3)\">here</a> for the hostile story.\n\n\
     Escapes \u{1b}[2J\u{1b}]0;owned\u{7} and \u{1b}]52;c;cHduZWQ=\u{7} end here.";

/// This file's environment and server, on the shared [`TestEnv`].
impl TestEnv {
    /// The fixture archive and a hostile article in `archive/`, indexed into `idx/`.
    fn indexed() -> TestEnv {
        let env = TestEnv::new().today(TODAY).with_fixtures();
        env.write(
            "mischief/900_hostile.txt",
            format!(
                " date 2024-06-10 {HOSTILE_TITLE}\n\n<b>By</b> \u{1b}[31mRed\n\n{HOSTILE_BODY}\n"
            ),
        );
        env.index_ok(2);
        env
    }

    fn serve(&self, extra: &[&str]) -> Server {
        // The index as `cli_json` names it: `stats` says which index it read.
        let index = self.index_dir();
        let mut args = vec![
            "serve",
            "--index",
            index.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        Server::start(&mut self.command(&args))
    }
}

/// A running `newsfind serve`, killed on drop.
struct Server {
    _child: ChildGuard,
    addr: String,
    /// Lines the server printed on stderr after its address.
    stderr: mpsc::Receiver<String>,
}

impl Server {
    fn start(cmd: &mut Command) -> Server {
        let mut child = ChildGuard::spawn(cmd.stdout(Stdio::null()).stderr(Stdio::piped()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        // Drains stderr for the server's whole life, so it never blocks on the pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            _child: child,
            addr: String::new(),
            stderr: rx,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match server.stderr.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    if let Some(rest) = line.split("http://").nth(1) {
                        server.addr = rest.split('/').next().unwrap().to_string();
                        return server;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("the server printed no address");
    }

    fn get(&self, path: &str) -> Response {
        self.request(path, &[])
    }

    fn request(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        http_get(&self.addr, path, headers)
    }

    /// A 200 with a JSON body.
    fn json(&self, path: &str) -> Value {
        let res = self.get(path);
        assert_eq!(res.status, 200, "{path}: {}", res.text());
        res.json()
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// A bare HTTP/1.1 GET (no client crate needed for a few loopback requests).
fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of headers");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    assert!(
        !headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")),
        "chunked bodies are not expected"
    );
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// `q=…&…` for a path, percent-encoding the values.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// URL parameters, as pairs.
type Params<'a> = &'a [(&'a str, &'a str)];

#[test]
fn search_doc_and_stats_are_the_cli_json() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    // (URL parameters, the same search as CLI arguments)
    let cases: &[(Params, &[&str])] = &[
        (&[("q", "budget")], &["search", "budget"]),
        (
            &[
                ("q", "budget"),
                ("facets", "1"),
                ("limit", "2"),
                ("offset", "1"),
            ],
            &["search", "budget", "--facets", "-n", "2", "--offset", "1"],
        ),
        (
            &[
                ("q", "*"),
                ("sort", "newest"),
                ("kind", "article"),
                ("facets", "true"),
            ],
            &[
                "search", "*", "--sort", "newest", "--kind", "article", "--facets",
            ],
        ),
        (
            &[
                ("q", "budget OR elections"),
                ("source", "reuters"),
                ("source", "The Hill"),
            ],
            &[
                "search",
                "budget OR elections",
                "-s",
                "reuters",
                "-s",
                "The Hill",
            ],
        ),
        (
            &[
                ("q", "-budget"),
                ("since", "2024-11"),
                ("until", "last week"),
            ],
            &[
                "search",
                "--since",
                "2024-11",
                "--until",
                "last week",
                "--",
                "-budget",
            ],
        ),
        (
            &[("q", "\"budget talks\""), ("on", "2024")],
            &["search", "\"budget talks\"", "--on", "2024"],
        ),
        (
            &[("q", "nothingmatchesthis")],
            &["search", "nothingmatchesthis"],
        ),
        (
            &[("q", "title:budget date:2024..2025")],
            &["search", "title:budget date:2024..2025"],
        ),
    ];
    for (params, cli) in cases {
        let api = server.json(&format!("/api/search?{}", query(params)));
        assert_eq!(api, env.cli_json(cli), "{params:?}");
    }
    let hits = server.json("/api/search?q=*&kind=article&limit=100");
    assert!(hits["total"].as_u64().unwrap() >= 5);
    for hit in hits["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap();
        assert_eq!(
            server.json(&format!("/api/doc/{id}")),
            env.cli_json(&["show", id]),
            "{id}"
        );
    }
    let teaser = server.json("/api/search?q=*&kind=teaser&limit=1");
    let id = teaser["hits"][0]["id"].as_str().unwrap();
    assert_eq!(
        server.json(&format!("/api/doc/{id}")),
        env.cli_json(&["show", id])
    );
    assert_eq!(server.json("/api/stats"), env.cli_json(&["stats"]));
}

#[test]
fn the_article_view_adds_marks_and_teaser_links() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let found = server.json("/api/search?q=elections&kind=article&limit=1");
    let id = found["hits"][0]["id"].as_str().unwrap();
    let plain = server.json(&format!("/api/doc/{id}"));
    let mut viewed = server.json(&format!("/api/doc/{id}?view=1&q=elections+kyiv"));
    let view = viewed.as_object_mut().unwrap().remove("view").unwrap();
    assert_eq!(viewed, plain, "view=1 adds only `view`");
    let body = plain["body"].as_str().unwrap();
    let marked: Vec<&str> = view["body_marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &body[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert!(
        marked.contains(&"elections") && marked.contains(&"Kyiv"),
        "{marked:?}"
    );
    let title = plain["title"].as_str().unwrap();
    let r = &view["title_marks"][0];
    assert_eq!(
        &title[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize],
        "Elections"
    );
    assert!(!view["caption_marks"][0].as_array().unwrap().is_empty());
    // Teasers "Budget talks stall" (archived: the-hill/002) and "Budget deal reached
    // overnight" (no such article).
    let teasers = plain["teasers"].as_array().unwrap();
    let links = view["teaser_articles"].as_array().unwrap();
    assert_eq!(teasers.len(), links.len());
    for (teaser, link) in teasers.iter().zip(links) {
        match teaser["title"].as_str().unwrap() {
            "Budget talks stall" => {
                let doc = server.json(&format!("/api/doc/{}", link.as_str().unwrap()));
                assert_eq!(doc["title"], "Budget talks stall");
            }
            _ => assert!(link.is_null(), "{teaser}"),
        }
    }
    // Without q nothing is marked; a bad q is the user's error.
    let unmarked = server.json(&format!("/api/doc/{id}?view=1"));
    assert_eq!(unmarked["view"]["body_marks"], serde_json::json!([]));
    assert_eq!(
        server
            .get(&format!("/api/doc/{id}?view=1&q=%22open"))
            .status,
        400
    );
}

/// `match=` is `--match`: the same strategy answers, and the JSON says which.
#[test]
fn the_match_parameter_is_the_cli_flag() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let words = "budget elections";
    for how in ["all", "most", "any"] {
        let api = server.json(&format!(
            "/api/search?{}",
            query(&[("q", words), ("match", how)])
        ));
        assert_eq!(
            api,
            env.cli_json(&["search", words, "--match", how]),
            "{how}"
        );
        assert_eq!(api["strategy"], how);
    }
    let all = server.json(&format!(
        "/api/search?{}",
        query(&[("q", words), ("match", "all")])
    ));
    let any = server.json(&format!(
        "/api/search?{}",
        query(&[("q", words), ("match", "any")])
    ));
    assert!(any["total"].as_u64() > all["total"].as_u64(), "{any} {all}");
    let res = server.get("/api/search?q=x&match=some");
    assert_eq!(res.status, 400, "{}", res.text());
    assert_eq!(res.json()["parameter"], "match");
}

#[test]
fn bad_input_is_a_400_naming_the_problem_never_a_500() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let long = "a".repeat(1_001);
    let cases: &[(&str, Option<&str>)] = &[
        ("/api/search", Some("q")),
        ("/api/search?q=", Some("q")),
        ("/api/search?q=%22open", Some("q")),
        ("/api/search?q=x&kind=poem", Some("kind")),
        ("/api/search?q=x&sort=best", Some("sort")),
        ("/api/search?q=x&limit=ten", Some("limit")),
        ("/api/search?q=x&limit=101", Some("limit")),
        ("/api/search?q=x&offset=10001", Some("offset")),
        ("/api/search?q=x&since=the+dawn+of+time", Some("since")),
        ("/api/search?q=x&on=2024&until=2025", Some("on")),
        ("/api/search?q=x&facets=perhaps", Some("facets")),
        ("/api/search?q=x&format=paths", Some("format")),
        ("/api/search?q=x&index=%2Fetc", Some("index")),
        ("/api/search?q=x&q=y", Some("q")),
        ("/api/doc/passwd", Some("id")),
        ("/api/doc/..%2F..%2Fetc%2Fpasswd", Some("id")),
        ("/api/doc/a0123456789abcdeg", Some("id")),
        ("/api/doc/a0123456789abcdef?x=1", Some("x")),
        ("/api/stats?verbose=1", Some("verbose")),
    ];
    for (path, parameter) in cases {
        let res = server.get(path);
        assert_eq!(res.status, 400, "{path}: {}", res.text());
        let body = res.json();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}"
        );
        assert_eq!(body["parameter"].as_str(), *parameter, "{path}: {body}");
    }
    let res = server.get(&format!("/api/search?q={long}"));
    assert_eq!(res.status, 400);
    assert!(res.json()["error"].as_str().unwrap().contains("1001 bytes"));
    // Not found is a 404, with JSON under /api.
    assert_eq!(server.get("/api/doc/a0123456789abcdef").status, 404);
    assert_eq!(server.get("/api/nothing").status, 404);
    assert!(server.get("/api/nothing").json()["error"].is_string());
    assert_eq!(server.get("/etc/passwd").status, 404);
    assert_eq!(server.get("/../../etc/passwd").status, 404);
    // Odd queries: each is answered, none with a 500.
    let odd = [
        "*",
        "(",
        ")",
        "((((",
        "title:",
        "date:",
        "date:99999",
        "date:2024..",
        "date:..",
        "a*",
        "*a",
        "\"",
        "\\",
        "\u{0}",
        "AND",
        "OR OR",
        "-",
        "+",
        "nofield:value",
        ":",
        "[a TO b]",
        "{a TO b}",
        "a^2",
        "a~2",
        "\u{1F642}",
        "\u{1b}[2J",
        "source:",
        "-*",
        "a AND -a",
        "\"a\"*",
        "title:*",
        "byline:(",
        "'",
        "it's",
        "IN [a b]",
        "a\u{202e}b",
    ];
    for q in odd {
        let res = server.get(&format!(
            "/api/search?{}",
            query(&[("q", q), ("facets", "1")])
        ));
        assert!(
            res.status == 200 || res.status == 400,
            "{q:?}: {} {}",
            res.status,
            res.text()
        );
        assert!(res.json().is_object(), "{q:?}");
    }
    let res = server.get("/api/search?q=%FF%FE&source=%C0");
    assert!(res.status == 200 || res.status == 400, "{}", res.status);
}

#[test]
fn a_search_over_the_time_limit_is_stopped_with_a_clear_error() {
    let env = TestEnv::indexed();
    // One search at a time, each 1.5 s slow, answered after 200 ms at most.
    let server = env.serve(&[
        "--timeout-ms",
        "200",
        "--max-searches",
        "1",
        "--test-delay-ms",
        "1500",
    ]);
    let addr = server.addr.clone();
    let started = Instant::now();
    let res = server.get("/api/search?q=budget");
    assert!(started.elapsed() < Duration::from_millis(1_400));
    assert_eq!(res.status, 503, "{}", res.text());
    assert!(res.json()["error"]
        .as_str()
        .unwrap()
        .contains("longer than 200 ms"));
    assert_eq!(res.header("retry-after"), Some("1"));
    // The stopped search still holds the only slot: the next request waits, then is told
    // the server is busy, instead of piling up another search.
    let res = http_get(&addr, "/api/stats", &[]);
    assert_eq!(res.status, 503, "{}", res.text());
    assert!(res.json()["error"].as_str().unwrap().contains("busy"));
    // A slow search within the limit is answered.
    let slow_but_fine = env.serve(&["--timeout-ms", "5000", "--test-delay-ms", "100"]);
    assert_eq!(slow_but_fine.get("/api/search?q=budget").status, 200);
}

#[test]
fn hostile_text_is_escaped_and_headers_protect_the_page() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let res = server.get("/api/search?q=hostile");
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    // JSON escapes control characters: no raw ESC or BEL reaches a client.
    assert!(
        !res.body.iter().any(|&b| b == 0x1b || b == 0x07),
        "{}",
        res.text()
    );
    let found = res.json();
    assert_eq!(found["hits"][0]["title"], HOSTILE_TITLE);
    let id = found["hits"][0]["id"].as_str().unwrap();
    let doc = server.get(&format!("/api/doc/{id}"));
    assert!(!doc.body.iter().any(|&b| b == 0x1b || b == 0x07));
    assert!(doc.json()["body"]
        .as_str()
        .unwrap()
        .contains("javascript:alert(3)"));
    // The page is static: no archive text in it; scripts only from itself.
    let page = server.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(!page.text().contains("alert"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let script = server.get("/app.js");
    assert_eq!(script.status, 200);
    assert!(
        !script.text().contains("innerHTML"),
        "the page builds no markup from strings"
    );
    assert!(server.get("/app.css").status == 200);
}

#[test]
fn another_host_name_is_refused_on_loopback() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let res = server.request("/api/stats", &[("Host", "evil.example:7700")]);
    assert_eq!(res.status, 421);
    assert_eq!(
        server
            .request("/api/stats", &[("Host", "localhost:7700")])
            .status,
        200
    );
}

#[test]
fn with_a_token_the_api_needs_it() {
    let env = TestEnv::indexed();
    let server = env.serve(&["--token", "s3cret-token"]);
    let res = server.get("/api/stats");
    assert_eq!(res.status, 401);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    assert!(res.json()["error"].as_str().unwrap().contains("token"));
    let wrong = server.request(
        "/api/search?q=x",
        &[("Authorization", "Bearer s3cret-tokem")],
    );
    assert_eq!(wrong.status, 401);
    let short = server.request("/api/stats", &[("Authorization", "Bearer s3cret")]);
    assert_eq!(short.status, 401);
    let right = server.request("/api/stats", &[("Authorization", "Bearer s3cret-token")]);
    assert_eq!(right.status, 200);
    // The page holds no archive data and loads without it (it asks for the token).
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.get("/app.js").status, 200);
}

#[test]
fn a_commit_of_a_concurrent_index_run_shows_up_without_a_restart() {
    let env = TestEnv::indexed();
    let server = env.serve(&[]);
    let path = "/api/search?q=zeppelin";
    assert_eq!(server.json(path)["total"], 0);
    env.write(
        "reuters/010_zeppelin.txt",
        " date 2025-02-04 Zeppelin lands in a field\n\nA zeppelin landed in a field on Tuesday.\n",
    );
    env.index_ok(2);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let total = server.json(path)["total"].as_u64().unwrap();
        if total == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the new article never showed up");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.json("/api/stats"), env.cli_json(&["stats"]));
}

#[test]
fn the_page_works_in_a_real_browser() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/page_test.py");
    // Debian's python3 (where python3-selenium lives), else whatever python3 is first.
    let python = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok());
    let Some(python) = python else {
        println!("skipped: no python3 for the browser test");
        return;
    };
    let shots = match std::env::var_os("NEWSFIND_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir().join(format!("newsfind-screenshots-{}", std::process::id())),
    };
    let out = Command::new(python)
        .arg(&script)
        .arg(bin())
        .arg(&shots)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    match out.status.code() {
        Some(0) => {}
        Some(77) => println!("skipped the browser test (see above)"),
        code => panic!(
            "the browser test failed ({code:?}); screenshots in {}",
            shots.display()
        ),
    }
}
