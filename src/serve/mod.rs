//! `newsfind serve`: an HTTP server (axum on tokio) with a JSON API and a web page over
//! one index. The API answers with the CLI's own JSON (`crate::output`), built from the
//! same search code; the page (assets embedded in the binary) is one more consumer of it.
//!
//! Limits: query length, page size and depth are checked before a search; searches run
//! on blocking threads, at most `max_searches` at a time, and a request that waits or
//! runs longer than `timeout` is answered with an error (the search itself cannot be
//! interrupted; it keeps its slot until it ends, so slow queries cannot pile up).

mod api;
mod page;
mod params;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::search::SearchIndex;

/// What the server is told at start.
pub struct ServeConfig {
    /// The index folder (for stats and messages).
    pub dir: PathBuf,
    pub addr: SocketAddr,
    /// Bearer token every API request must carry, if set.
    pub token: Option<String>,
    /// Longest a request waits for its search.
    pub timeout: Duration,
    /// Searches at the same time.
    pub max_searches: usize,
    /// The day relative dates count from; `None`: the local date of each request.
    pub today: Option<NaiveDate>,
    /// Added to every search, so tests can make one slow (zero otherwise).
    pub test_delay: Duration,
}

/// What every request shares.
struct AppState {
    index: SearchIndex,
    config: ServeConfig,
    /// Slots for searches running at the same time.
    searches: Arc<Semaphore>,
    /// The address bound (to check `Host`: see [`guard`]).
    bound: SocketAddr,
}

impl AppState {
    fn today(&self) -> NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

/// Serves until Ctrl-C. Prints the bound address on stderr (`serving … at http://…/`).
pub fn run(index: SearchIndex, config: ServeConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // The blocking pool runs the searches; the semaphore bounds it, plus a margin.
        .max_blocking_threads(config.max_searches + 4)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(index, config))
}

async fn serve(index: SearchIndex, config: ServeConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    if let Some(warning) = exposure_warning(bound.ip(), config.token.is_some()) {
        eprintln!("{warning}");
    }
    eprintln!(
        "newsfind: serving {} at http://{bound}/ (Ctrl-C stops)",
        config.dir.display()
    );
    let state = Arc::new(AppState {
        index,
        searches: Arc::new(Semaphore::new(config.max_searches)),
        config,
        bound,
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")
}

/// What to say when binding anything but loopback opens the archive to the network.
fn exposure_warning(ip: IpAddr, has_token: bool) -> Option<String> {
    if ip.is_loopback() {
        None
    } else if has_token {
        Some(format!(
            "newsfind: warning: listening on {ip} over plain HTTP: the token and the archive \
             travel unencrypted (put a TLS proxy in front for untrusted networks)"
        ))
    } else {
        Some(format!(
            "newsfind: warning: listening on {ip} without --token: anyone who can reach this \
             address can read the whole archive"
        ))
    }
}

fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/search", get(api::search))
        .route("/doc/{id}", get(api::doc))
        .route("/stats", get(api::stats))
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/favicon.ico", get(page::favicon))
        .nest("/api", api)
        .fallback(page::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Security headers on every response, and a `Host` check while bound to loopback: a
/// web page elsewhere cannot reach the API through DNS rebinding (its requests carry
/// its own host name).
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if state.bound.ip().is_loopback() {
        if let Some(host) = req.headers().get(header::HOST) {
            if !is_loopback_host(host.as_bytes()) {
                return api::error(
                    StatusCode::MISDIRECTED_REQUEST,
                    "this server answers only requests for localhost or a loopback address"
                        .to_string(),
                    None,
                );
            }
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback_host(host: &[u8]) -> bool {
    let Ok(host) = std::str::from_utf8(host) else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, _)) => inside,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// With `--token`, API requests need `Authorization: Bearer TOKEN` (compared in constant
/// time). The page and its assets hold no archive data and need none.
async fn require_token(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(token) = &state.config.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
            .unwrap_or(b"");
        if !bool::from(given.ct_eq(token.as_bytes())) {
            let mut res = api::error(
                StatusCode::UNAUTHORIZED,
                "this server needs a token: send `Authorization: Bearer TOKEN`".to_string(),
                None,
            );
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return res;
        }
    }
    next.run(req).await.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_addresses_than_loopback_are_warned_about() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(exposure_warning(ip("127.0.0.1"), false), None);
        assert_eq!(exposure_warning(ip("::1"), false), None);
        let open = exposure_warning(ip("0.0.0.0"), false).unwrap();
        assert!(open.contains("anyone who can reach"), "{open}");
        let tokened = exposure_warning(ip("192.168.1.5"), true).unwrap();
        assert!(tokened.contains("unencrypted"), "{tokened}");
    }

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "localhost:7700",
            "LOCALHOST:1",
            "127.0.0.1:7700",
            "127.1.2.3",
            "[::1]:80",
            "[::1]",
        ] {
            assert!(is_loopback_host(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "evil.example:7700",
            "localhost.evil.example",
            "10.0.0.1:7700",
            "[::2]:80",
            "[::1",
            "",
        ] {
            assert!(!is_loopback_host(bad.as_bytes()), "{bad}");
        }
    }
}
