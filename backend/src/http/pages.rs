//! The pages the server fills in itself, for the link previews that run no JavaScript: the
//! head of a crush page (`/crush/{slug}`) and its card image (`/crush/{slug}/card.png`), from the
//! same data as `GET /api/crush/{slug}`; and the status of every other page of the web app.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{Html, IntoResponse, Response},
};

use super::{
    AppState,
    crush::{Crush, public_crush_body},
    error::ApiError,
    extract::Path,
    spa,
};
use crate::{
    crush::Slug,
    share::{CardCache, CardData, IndexTemplate, PageHead, render_card, summary},
};

/// Bumped when the card's design changes, so that caches holding the old one revalidate.
const CARD_DESIGN: u32 = 1;
/// Shared caches and link previews may keep a card this long before revalidating it.
const CARD_CACHE_CONTROL: &str = "public, max-age=600";

/// What the web app's pages are served from.
#[derive(Clone)]
pub struct Site {
    /// The application's state (database, read caches, public URL).
    pub state: AppState,
    /// The built app's `index.html`.
    pub index: Arc<IndexTemplate>,
}

/// What the card route needs (it works without the web app built).
#[derive(Clone)]
pub struct CardSite {
    /// The application's state.
    pub state: AppState,
    /// Cards rendered lately.
    pub cards: Arc<CardCache>,
}

impl Site {
    /// The server's public URL without its trailing slash, for absolute links.
    fn public_url(&self) -> String {
        self.state
            .http
            .public_base_url()
            .map(|url| url.as_str().trim_end_matches('/').to_owned())
            .unwrap_or_default()
    }

    fn page(&self, status: StatusCode, head: Option<&PageHead>) -> Response {
        (status, Html(self.index.render(head))).into_response()
    }
}

/// `/`: the landing page, with its canonical URL.
pub async fn home(State(site): State<Site>) -> Response {
    let head = PageHead {
        title: "Who is your Instagram crush?".to_owned(),
        description: "Instacrush finds the Instagram account that comments most on your posts: \
                      your biggest fan, maybe more."
            .to_owned(),
        canonical: Some(format!("{}/", site.public_url())),
        ..PageHead::default()
    };
    site.page(StatusCode::OK, Some(&head))
}

/// `/crush/{slug}`: the public crush page with its preview (`404` when there is no such crush).
pub async fn crush_page(State(site): State<Site>, Path(slug): Path<String>) -> Response {
    match find_crush(&site.state, &slug).await {
        Ok(Some(crush)) => site.page(StatusCode::OK, Some(&crush_head(&crush, &site.public_url()))),
        Ok(None) => site.page(StatusCode::NOT_FOUND, Some(&not_found("Crush not found"))),
        Err(err) => {
            tracing::error!(error = %err, "cannot read a crush for its page");
            // The app loads and asks the API itself; a crawler is told to come back.
            site.page(StatusCode::SERVICE_UNAVAILABLE, None)
        }
    }
}

/// Any other path: the web app with `200` where it has a route, `404` and its not-found page
/// elsewhere (a missing asset is a bare `404`).
pub async fn other_page(State(site): State<Site>, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/assets/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    if spa::is_route(path) {
        site.page(StatusCode::OK, None)
    } else {
        site.page(StatusCode::NOT_FOUND, Some(&not_found("Page not found")))
    }
}

/// `/crush/{slug}/card.png`: the crush as a 1200×630 picture, for link previews.
pub async fn crush_card(
    State(site): State<CardSite>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let crush = find_crush(&site.state, &slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no crush named {slug}")))?;
    let etag = format!("\"card-{CARD_DESIGN}-{}-{}\"", crush.slug, crush.computed_at.unix_timestamp_nanos());
    let cache_headers = [
        (header::ETAG, HeaderValue::from_str(&etag).map_err(|err| ApiError::Internal(err.into()))?),
        (header::CACHE_CONTROL, HeaderValue::from_static(CARD_CACHE_CONTROL)),
    ];
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers).into_response());
    }
    let png = card_png(&site.cards, etag, crush).await?;
    Ok((cache_headers, [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))], png).into_response())
}

/// The card of `crush`: the one kept under `etag`, or drawn now (off the async threads) and kept.
async fn card_png(cards: &CardCache, etag: String, crush: Crush) -> Result<Bytes, ApiError> {
    if let Some(png) = cards.get(&etag) {
        return Ok(png);
    }
    let drawn = tokio::task::spawn_blocking(move || {
        render_card(&CardData {
            owner: &crush.owner.username,
            crush: &crush.crush.username,
            comments: crush.comments_count,
            posts: crush.posts_count,
        })
    })
    .await
    .map_err(|err| ApiError::Internal(err.into()))?;
    let png = Bytes::from(drawn?);
    cards.insert(etag, png.clone());
    Ok(png)
}

/// The public crush `slug` names, as `GET /api/crush/{slug}` answers it.
async fn find_crush(state: &AppState, slug: &str) -> Result<Option<Crush>, ApiError> {
    let Ok(slug) = slug.parse::<Slug>() else { return Ok(None) };
    let Some(body) = public_crush_body(state, &slug).await? else { return Ok(None) };
    serde_json::from_slice(&body).map(Some).map_err(|err| ApiError::Internal(err.into()))
}

/// Whether `If-None-Match` names `etag` (or any version, `*`).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|value| value.to_str().ok()).any(|value| {
        value
            .split(',')
            .map(str::trim)
            .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
    })
}

fn crush_head(crush: &Crush, public_url: &str) -> PageHead {
    let (owner, them) = (&crush.owner.username, &crush.crush.username);
    let counts = summary(crush.comments_count, crush.posts_count);
    let page = format!("{public_url}{}", crush.links.page);
    PageHead {
        title: format!("@{owner}’s crush"),
        description: format!(
            "@{them} comments most on @{owner}’s recent Instagram posts: {counts}. Find your own crush on Instacrush."
        ),
        image: Some((format!("{page}/card.png"), format!("@{owner} and their crush @{them}: {counts}"))),
        canonical: Some(page),
        noindex: false,
    }
}

fn not_found(title: &str) -> PageHead {
    PageHead {
        title: title.to_owned(),
        description: "There is nothing at this address. It may have moved, or the link may be wrong."
            .to_owned(),
        noindex: true,
        ..PageHead::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_names_the_card_strongly_weakly_in_a_list_or_as_any() {
        let etag = "\"card-1-abc-5\"";
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            matches_etag(&headers, etag)
        };
        assert!(with("\"card-1-abc-5\""));
        assert!(with("W/\"card-1-abc-5\""));
        assert!(with("\"x\", \"card-1-abc-5\""));
        assert!(with("*"));
        assert!(!with("\"card-1-abc-6\""));
        assert!(!matches_etag(&HeaderMap::new(), etag));
    }
}
