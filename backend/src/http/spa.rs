//! Serving the built SPA: its files (hashed assets cached for a year, everything else
//! revalidated; precompressed brotli or gzip when the browser takes it), its pages (the ones
//! the server fills in, in `pages`), and `404` with the app's not-found page for any path it has
//! no route for.

use std::{path::Path, sync::Arc};

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::{Next, from_fn},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use tower_http::services::ServeDir;

use super::{
    AppState,
    pages::{self, CardSite, Site},
};
use crate::share::{CardCache, IndexTemplate};

/// The web app's routes, as `frontend/src/config/paths.ts` declares them (a test keeps the two
/// lists equal): these paths are pages, any other is answered `404`.
const ROUTES: &[&str] = &[
    "/",
    "/signin",
    "/signin/permissions",
    "/loading",
    "/crush/:slug",
    "/top-users",
    "/top-users/:igId",
    "/top-posts",
    "/account",
    "/account/deleted",
];

/// Cards kept rendered in memory (about 100 kB each).
const CARD_CACHE_ENTRIES: usize = 256;

/// Vite's content-hashed files: a new build has new names, so a copy never goes stale.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Everything else (`index.html`, `robots.txt`, the pages) is checked with the server each time.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Whether the web app has a page at `path` (a `:param` matches any one segment).
pub fn is_route(path: &str) -> bool {
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES.iter().any(|route| {
        let pattern: Vec<&str> = route.split('/').collect();
        pattern.len() == segments.len()
            && pattern
                .iter()
                .zip(&segments)
                .all(|(want, got)| want == got || (want.starts_with(':') && !got.is_empty()))
    })
}

/// The web app and the crush cards, or a page saying how to build the app when `STATIC_DIR` has
/// no `index.html` (the cards need no build).
pub fn service(state: AppState) -> Router {
    let dir = state.http.static_dir.clone();
    let cards = Arc::new(CardCache::new(CARD_CACHE_ENTRIES));
    let card = Router::new()
        .route("/crush/{slug}/card.png", get(pages::crush_card))
        .with_state(CardSite { state: state.clone(), cards: cards.clone() });
    let Some(index) = load_index(&dir) else {
        return card.fallback(not_built);
    };
    let site = Site { state, index: Arc::new(index) };
    let files = ServeDir::new(&dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(get(pages::other_page).with_state(site.clone()));
    Router::new()
        .route("/", get(pages::home))
        .route("/crush/{slug}", get(pages::crush_page))
        .with_state(site)
        .merge(card)
        .fallback_service(files)
        .layer(from_fn(cache_control))
}

fn load_index(dir: &Path) -> Option<IndexTemplate> {
    std::fs::read_to_string(dir.join("index.html")).ok().map(|html| IndexTemplate::parse(&html))
}

/// Sets `Cache-Control` where a handler did not: a year for hashed assets, revalidation for the rest.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let status = response.status();
    let cacheable = hashed && (status.is_success() || status == StatusCode::NOT_MODIFIED);
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(if cacheable {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    response
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::OK,
        Html(
            "<!doctype html><title>Instacrush</title><h1>Instacrush API</h1>\
             <p>The web app is not built (run <code>make run</code>). \
             The API reference is at <a href=\"/api/docs/\">/api/docs</a>.</p>",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_by_segment() {
        for page in ["/", "/signin", "/crush/abc", "/top-users/17", "/top-users/17/", "/account/deleted"] {
            assert!(is_route(page), "{page}");
        }
        for other in ["/nope", "/crush", "/crush/", "/crush/a/b", "/top-users/1/2", "/account/x", "//"] {
            assert!(!is_route(other), "{other}");
        }
    }

    /// The routes `frontend/src/config/paths.ts` declares, in its `path: '…'` entries.
    fn spa_routes() -> Vec<String> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/src/config/paths.ts");
        let source = std::fs::read_to_string(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        source
            .split("path: '")
            .skip(1)
            .filter_map(|rest| rest.split_once('\'').map(|(path, _)| path.to_owned()))
            .collect()
    }

    #[test]
    fn the_route_list_is_the_web_apps() {
        let mut ours: Vec<&str> = ROUTES.to_vec();
        let mut theirs = spa_routes();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert!(!theirs.is_empty());
        assert_eq!(
            ours, theirs,
            "update ROUTES in backend/src/http/spa.rs to match frontend/src/config/paths.ts"
        );
    }
}
