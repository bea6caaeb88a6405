//! The JSON API: `/api/search`, `/api/doc/{id}`, `/api/stats`. Bodies are what
//! `newsfind search -f json`, `show -f json` and `stats -f json` print, written by the
//! same printers in `crate::output`. Errors are `{"error": …, "parameter": …}`: 400 for
//! what the user gave, 404 for a missing document, 503 when busy or too slow, 500 only
//! for faults of the server or the index.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use termcolor::NoColor;

use super::params::{self, BadParam};
use super::AppState;
use crate::output::{self, Format, Layout};
use crate::search::{is_doc_id, DocKind, QueryError};

/// A JSON error response.
pub(super) fn error(status: StatusCode, message: String, parameter: Option<&str>) -> Response {
    let mut body =
        serde_json::to_vec(&json!({"error": message, "parameter": parameter})).unwrap_or_default();
    body.push(b'\n');
    json_response(status, body)
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Why a request failed.
enum ApiError {
    Bad(BadParam),
    NotFound(String),
    /// A fault of the server or the index, not of the request.
    Internal(anyhow::Error),
}

impl From<BadParam> for ApiError {
    fn from(bad: BadParam) -> ApiError {
        ApiError::Bad(bad)
    }
}

impl ApiError {
    /// An error of the searcher: the query's fault when it is a [`QueryError`].
    fn of_search(err: anyhow::Error) -> ApiError {
        match err.downcast_ref::<QueryError>() {
            Some(q) => ApiError::Bad(BadParam::new(q.to_string(), Some("q"))),
            None => ApiError::Internal(err),
        }
    }

    fn into_response(self, what: &str) -> Response {
        match self {
            ApiError::Bad(bad) => error(
                StatusCode::BAD_REQUEST,
                bad.message,
                bad.parameter.as_deref(),
            ),
            ApiError::NotFound(message) => error(StatusCode::NOT_FOUND, message, None),
            ApiError::Internal(err) => {
                eprintln!("newsfind: {what}: {err:#}");
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the server failed: {err:#}"),
                    None,
                )
            }
        }
    }
}

/// Runs `job` on a blocking thread once a search slot is free, within the timeout.
async fn blocking<F>(state: &Arc<AppState>, what: &'static str, job: F) -> Response
where
    F: FnOnce(&AppState) -> Result<Vec<u8>, ApiError> + Send + 'static,
{
    let timeout = state.config.timeout;
    let deadline = tokio::time::Instant::now() + timeout;
    let ms = timeout.as_millis();
    let busy = |message: String| {
        let mut res = error(StatusCode::SERVICE_UNAVAILABLE, message, None);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        res
    };
    let permit =
        match tokio::time::timeout_at(deadline, state.searches.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return busy("the server is shutting down".to_string()),
            Err(_) => {
                return busy(format!(
                    "the server is busy: no search slot came free within {ms} ms; try again"
                ))
            }
        };
    let shared = state.clone();
    // The permit goes with the job: a search that outlives its request keeps its slot.
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if !shared.config.test_delay.is_zero() {
            std::thread::sleep(shared.config.test_delay);
        }
        job(&shared)
    });
    match tokio::time::timeout_at(deadline, task).await {
        Ok(Ok(Ok(body))) => json_response(StatusCode::OK, body),
        Ok(Ok(Err(err))) => err.into_response(what),
        Ok(Err(join)) => {
            ApiError::Internal(anyhow::anyhow!("the search panicked: {join}")).into_response(what)
        }
        Err(_) => busy(format!(
            "the search took longer than {ms} ms and was stopped: narrow it (fewer word* \
             prefixes, a date range or a source)"
        )),
    }
}

/// The printer's output, as bytes.
fn printed(
    print: impl FnOnce(&mut NoColor<Vec<u8>>) -> std::io::Result<()>,
) -> Result<Vec<u8>, ApiError> {
    let mut out = NoColor::new(Vec::new());
    print(&mut out).map_err(|err| ApiError::Internal(err.into()))?;
    Ok(out.into_inner())
}

/// `GET /api/search?q=…`: what `newsfind search -f json` prints for the same flags.
pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let request = match params::search_request(raw.as_deref(), state.today()) {
        Ok(request) => request,
        Err(bad) => return ApiError::Bad(bad).into_response("search"),
    };
    blocking(&state, "search", move |state| {
        let results = state.index.search(&request).map_err(ApiError::of_search)?;
        printed(|w| output::print_results(w, &results, Format::Json, &Layout::default()))
    })
    .await
}

/// `GET /api/doc/{id}`: what `newsfind show ID -f json` prints. With `view=1` (the page's
/// article view) one more key, `view`: the words of `q` marked in the title, body and
/// captions, and the id of the indexed article each teaser names.
pub(super) async fn doc(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let result = doc_params(id, raw.as_deref());
    let (id, q, view) = match result {
        Ok(parsed) => parsed,
        Err(bad) => return ApiError::Bad(bad).into_response("doc"),
    };
    let today = state.today();
    blocking(&state, "doc", move |state| {
        let index = &state.index;
        let doc = index
            .document(&id)
            .map_err(ApiError::Internal)?
            .ok_or_else(|| ApiError::NotFound(format!("no document {id} in the index")))?;
        // Only the file the index names for this article is read, and only when it
        // still holds that article (see `file_teasers`).
        let teasers = (doc.kind == DocKind::Article).then(|| crate::cmd::show::file_teasers(&doc));
        let shown = match &teasers {
            Some(Ok(list)) => Some(Ok(list.as_slice())),
            Some(Err(why)) => Some(Err(why.as_str())),
            None => None,
        };
        let body =
            printed(|w| output::print_document(w, &doc, shown, Format::Json, &Layout::default()))?;
        if !view {
            return Ok(body);
        }
        let mut value: Value =
            serde_json::from_slice(&body).map_err(|err| ApiError::Internal(err.into()))?;
        let marks = match &q {
            Some(q) => index.marks(q, today, &doc).map_err(ApiError::of_search)?,
            None => Default::default(),
        };
        let searcher = index.searcher();
        let mut teaser_articles = Vec::new();
        if let Some(Ok(list)) = &teasers {
            for teaser in list {
                let id = index
                    .article_id_titled(&searcher, &teaser.title)
                    .map_err(ApiError::Internal)?;
                teaser_articles.push(id);
            }
        }
        let ranges = |r: &[(usize, usize)]| r.iter().map(|&(a, b)| [a, b]).collect::<Vec<_>>();
        value["view"] = json!({
            "title_marks": ranges(&marks.title),
            "body_marks": ranges(&marks.body),
            "caption_marks": marks.captions.iter().map(|c| ranges(c)).collect::<Vec<_>>(),
            "teaser_articles": teaser_articles,
        });
        let mut out = serde_json::to_vec(&value).map_err(|err| ApiError::Internal(err.into()))?;
        out.push(b'\n');
        Ok(out)
    })
    .await
}

/// The id of `/api/doc/{id}` and its parameters: (id, `q`, `view`).
fn doc_params(
    id: Result<Path<String>, PathRejection>,
    raw: Option<&str>,
) -> Result<(String, Option<String>, bool), BadParam> {
    let Path(id) = id.map_err(|err| BadParam::new(err.body_text(), Some("id")))?;
    if !is_doc_id(&id) {
        return Err(BadParam::new(
            "not a document id: `a` or `t` and 16 hex digits, as search prints them",
            Some("id"),
        ));
    }
    let mut q = None;
    let mut view = false;
    for (name, value) in params::pairs(raw) {
        match name.as_ref() {
            "q" => q = Some(params::query(&value)?),
            "view" => view = params::flag("view", &value)?,
            other => {
                return Err(BadParam::new(
                    format!("unknown parameter {other:?}: give view, q"),
                    Some(other),
                ))
            }
        }
    }
    Ok((id, q.filter(|q| !q.trim().is_empty()), view))
}

/// `GET /api/stats`: what `newsfind stats -f json` prints.
pub(super) async fn stats(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    if let Some((name, _)) = params::pairs(raw.as_deref()).into_iter().next() {
        return ApiError::Bad(BadParam::new(
            format!("unknown parameter {name:?}: stats takes none"),
            Some(&name),
        ))
        .into_response("stats");
    }
    blocking(&state, "stats", move |state| {
        let dir = &state.config.dir;
        let stats = state.index.stats(dir).map_err(ApiError::Internal)?;
        printed(|w| output::print_stats(w, &stats, dir, true))
    })
    .await
}

/// Any other `/api/…` path.
pub(super) async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint: /api/search, /api/doc/{id} and /api/stats are".to_string(),
        None,
    )
}
