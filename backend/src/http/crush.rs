//! Crushes as the API shows them (`Crush`, `MyCrush`), and public crush pages by slug.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::problems::OtherProblem;
use super::{
    AppState,
    error::{ApiError, Problem},
    extract::Path,
};
use crate::crush::{self, CrushView, OwnerAccount, Slug};

/// An Instagram account as a crush page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CrushAccount {
    /// The username.
    pub username: String,
    /// The profile picture.
    #[schema(required = true)]
    pub profile_picture_url: Option<String>,
}

/// Links from a crush.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CrushLinks {
    /// This resource.
    #[serde(rename = "self")]
    pub self_: String,
    /// The shareable page in the web app.
    pub page: String,
}

/// A crush: who comments most on the owner's recent posts. Public by its slug.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "slug": "k7m2xq9rd4tv8wz3hc6p",
    "owner": {"username": "ada.demo", "profile_picture_url": "https://example.invalid/ada.jpg"},
    "crush": {"username": "theo_paints", "profile_picture_url": "https://example.invalid/theo.jpg"},
    "comments_count": 24,
    "posts_count": 11,
    "computed_at": "2026-11-29T03:12:45.123456Z",
    "is_current": true,
    "links": {"self": "/api/crush/k7m2xq9rd4tv8wz3hc6p", "page": "/crush/k7m2xq9rd4tv8wz3hc6p"}
}))]
pub struct Crush {
    /// The public, unguessable name of this crush's page.
    pub slug: String,
    /// Whose crush it is.
    pub owner: CrushAccount,
    /// The crush.
    pub crush: CrushAccount,
    /// Comments and replies by the crush on the owner's recent posts.
    pub comments_count: i64,
    /// Distinct posts they commented on.
    pub posts_count: i64,
    /// When it was computed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub computed_at: OffsetDateTime,
    /// Whether this is still the owner's crush. A later sync or comment can make another
    /// account their crush: that pair gets a page of its own (which only its owner's sharing
    /// reveals), and this page stays as it was, `false` here.
    pub is_current: bool,
    /// Related resources.
    pub links: CrushLinks,
}

impl From<CrushView> for Crush {
    fn from(view: CrushView) -> Self {
        Self {
            links: CrushLinks {
                self_: format!("/api/crush/{}", view.slug),
                page: format!("/crush/{}", view.slug),
            },
            slug: view.slug,
            owner: CrushAccount { username: view.owner_username, profile_picture_url: view.owner_picture },
            crush: CrushAccount { username: view.crush_username, profile_picture_url: view.crush_picture },
            comments_count: view.comments_count,
            posts_count: view.posts_count,
            computed_at: view.computed_at,
            is_current: view.is_current,
        }
    }
}

/// Whether a crush was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CrushOutcome {
    /// `crush` is set.
    Found,
    /// Nobody has commented on your recent posts yet.
    NobodyYet,
}

/// What a `MyCrush` body is: always `my_crush` (`GET /api/crush` answers a `SyncStatus` too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MyCrushResource {
    /// A `MyCrush`.
    #[default]
    MyCrush,
}

/// The signed-in user's crush as of their latest sync.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "resource": "my_crush", "outcome": "nobody_yet", "crush": null, "synced_at": "2026-11-29T03:12:45.123456Z",
    "unattributed_comments": 0
}))]
pub struct MyCrush {
    /// Always `my_crush`: tells this body from a `SyncStatus` without the status code.
    pub resource: MyCrushResource,
    /// Whether there is a crush.
    pub outcome: CrushOutcome,
    /// The crush, when found.
    #[schema(required = true)]
    pub crush: Option<Crush>,
    /// When the data was last synced from Instagram.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub synced_at: Option<OffsetDateTime>,
    /// Comments on your recent posts that Instagram returned without saying who wrote them
    /// (restricted or withheld accounts): they count for nobody.
    #[schema(minimum = 0)]
    pub unattributed_comments: i64,
}

impl MyCrush {
    /// The crush of `account` as of its latest sync (`None`: nobody commented yet).
    pub fn of(account: &OwnerAccount, crush: Option<CrushView>) -> Self {
        let crush = crush.map(Crush::from);
        let outcome = if crush.is_some() { CrushOutcome::Found } else { CrushOutcome::NobodyYet };
        Self {
            resource: MyCrushResource::MyCrush,
            outcome,
            crush,
            synced_at: account.last_synced_at,
            unattributed_comments: account.unattributed_comments,
        }
    }
}

/// `value` as a JSON body, to keep in a read cache.
pub(super) fn json_bytes(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|err| ApiError::Internal(err.into()))
}

/// A `200` with a JSON body serialized earlier.
pub(super) fn json_response(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// A public crush page.
///
/// Both accounts' usernames and pictures and the counts; nothing private. Anyone may read it
/// by its slug (`Crush.links.self`); answers may be cached for a minute. The `ETag` changes
/// when the crush does (a comment arrived): a page left open asks again with `If-None-Match`
/// and gets a bodiless `304` until then.
#[utoipa::path(
    get,
    path = "/api/crush/{slug}",
    tag = "crush",
    security(),
    params(
        ("slug" = String, Path, description = "The crush page's slug"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of the copy the client has"),
    ),
    responses(
        (status = 200, description = "The crush", body = Crush,
         headers(("Cache-Control" = String, description = "`public, max-age=60`"),
                 ("ETag" = String, description = "Changes when the crush does"))),
        (status = 304, description = "The crush has not changed since the `ETag` given",
         headers(("ETag" = String, description = "The same `ETag`"))),
        (status = 404, description = "No such crush", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn get_public_crush(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("no crush named {slug}"));
    let parsed: Slug = slug.parse().map_err(|_| not_found())?;
    let body = public_crush_body(&state, &parsed).await?.ok_or_else(not_found)?;
    let etag = body_etag(&body);
    let mut response = if matches_etag(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        json_response(body)
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// A strong `ETag` for a JSON body: the start of its SHA-256 (the body says everything the
/// page shows, so it changes exactly when the page would).
fn body_etag(body: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body);
    format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak validators compare by their value.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|value| value.to_str().ok()).any(|value| {
        value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
    })
}

/// The public crush `slug` as `GET /api/crush/{slug}` answers it (a JSON [`Crush`]), from the read
/// cache or the database; the crush page's head and card are drawn from it too.
pub(crate) async fn public_crush_body(state: &AppState, slug: &Slug) -> Result<Option<Bytes>, ApiError> {
    if let Some(body) = state.caches.public_crush.get(&slug.to_string()) {
        return Ok(Some(body));
    }
    let Some(view) = crush::by_slug(&state.db, slug).await? else { return Ok(None) };
    let body = json_bytes(&Crush::from(view))?;
    state.caches.public_crush.insert(slug.to_string(), body.clone(), None);
    Ok(Some(body))
}
