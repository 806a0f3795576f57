//! The crush: mine (fresh, or a sync to watch), and public pages by slug.

use std::time::Duration;

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{
    AppState,
    error::{ApiError, Problem},
    extract::{Json, Path},
    sync::{SyncState, SyncStatus, cooldown_left},
};
use crate::{
    auth::CurrentUser,
    crush::{self, CrushView, OwnerAccount, Slug},
    jobs::store::now,
    sync::{self, SyncPhase},
};

/// An Instagram account as a crush page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CrushAccount {
    /// The username.
    pub username: String,
    /// The profile picture.
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

/// The signed-in user's crush as of their latest sync.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"outcome": "nobody_yet", "crush": null, "synced_at": "2026-11-29T03:12:45.123456Z"}))]
pub struct MyCrush {
    /// Whether there is a crush.
    pub outcome: CrushOutcome,
    /// The crush, when found.
    pub crush: Option<Crush>,
    /// When the data was last synced from Instagram.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub synced_at: Option<OffsetDateTime>,
}

/// How long synced data stays fresh.
pub fn fresh_for(state: &AppState) -> Duration {
    Duration::from_secs(u64::from(state.sync.fresh_hours) * 3600)
}

/// The signed-in user has no Instagram account (cannot happen after sign-in).
pub fn no_account() -> ApiError {
    ApiError::NotFound("no Instagram account is linked to this user".to_owned())
}

/// `value` as a JSON body, to keep in a read cache.
fn json_bytes(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value).map(Bytes::from).map_err(|err| ApiError::Internal(err.into()))
}

/// A `200` with a JSON body serialized earlier.
fn json_response(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

async fn my_crush(state: &AppState, account: &OwnerAccount) -> Result<MyCrush, ApiError> {
    let crush = crush::current(&state.db, account.id).await?;
    Ok(my_crush_of(account, crush))
}

fn my_crush_of(account: &OwnerAccount, crush: Option<CrushView>) -> MyCrush {
    let crush = crush.map(Crush::from);
    let outcome = if crush.is_some() { CrushOutcome::Found } else { CrushOutcome::NobodyYet };
    MyCrush { outcome, crush, synced_at: account.last_synced_at }
}

/// My crush: `200` when the data is fresh; otherwise a sync is started (or the
/// running one found) and `202` gives its status to poll.
#[utoipa::path(
    get,
    path = "/api/crush",
    tag = "crush",
    security(("session_cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Fresh: the crush, or nobody yet", body = MyCrush),
        (status = 202, description = "Syncing (or a sync failed less than a minute ago): poll the status", body = SyncStatus,
         headers(("Location" = String, description = "The job"), ("Retry-After" = u64, description = "Seconds until the next poll"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No Instagram account is linked to this user", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Instagram needs a new sign-in (`needs_reauth`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_crush(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    if let Some(body) = state.caches.my_crush.get(&user.id) {
        return Ok(json_response(body));
    }
    // One query for the account, when its user was last seen and the current
    // crush (shown when the data is fresh): this is the hot path.
    let (account, current) =
        OwnerAccount::with_current_crush(&state.db, user.id).await?.ok_or_else(no_account)?;
    // Keeps an active user's crush fresh through the scheduled resync.
    // `touch_last_seen` writes at most once per SEEN_RESOLUTION: skip it sooner.
    if account.last_seen_at.is_none_or(|at| now() - at >= sync::SEEN_RESOLUTION) {
        sync::touch_last_seen(&state.db, user.id).await?;
    }
    let overview = sync::overview(&state.db, user.id, account.last_synced_at, fresh_for(&state)).await?;
    // A sync that failed moments ago is not retried on every visit (reloading would hammer
    // Instagram): its status is polled, and the retry follows the cooldown.
    if overview.phase == SyncPhase::Failed
        && let Some(failed) = overview.latest.as_ref().filter(|job| cooldown_left(job).is_some())
    {
        return Ok(SyncStatus::of_job(failed).accepted());
    }
    match overview.phase {
        SyncPhase::Fresh => {
            let body = json_bytes(&my_crush_of(&account, current))?;
            // Kept no longer than the data stays fresh (nor than the read cache's TTL).
            state.caches.my_crush.insert(user.id, body.clone(), Some(overview.fresh_left));
            Ok(json_response(body))
        }
        SyncPhase::NeedsReauth => Err(ApiError::NeedsReauth),
        SyncPhase::Active | SyncPhase::Stale | SyncPhase::Failed => {
            let job = sync::request_sync(&state, user.id).await?;
            Ok(SyncStatus::of_job(&job).accepted())
        }
    }
}

/// My sync's status: `202` while queued or running (with progress); `200` once
/// it ended: succeeded (with the crush), failed (with the error and whether a
/// retry may help) or needs re-auth (with a sign-in link). A stale account
/// with nothing running gets a sync started.
#[utoipa::path(
    get,
    path = "/api/crush/loading",
    tag = "crush",
    security(("session_cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The sync ended", body = SyncStatus),
        (status = 202, description = "Queued or running: poll again", body = SyncStatus,
         headers(("Location" = String, description = "The job"), ("Retry-After" = u64, description = "Seconds until the next poll"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No Instagram account is linked to this user", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_sync_status(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let account = crush::owner_account(&state.db, user.id).await?.ok_or_else(no_account)?;
    let overview = sync::overview(&state.db, user.id, account.last_synced_at, fresh_for(&state)).await?;
    if overview.phase == SyncPhase::Stale {
        let job = sync::request_sync(&state, user.id).await?;
        return Ok(SyncStatus::of_job(&job).accepted());
    }
    let mut status = SyncStatus::of_overview(&overview);
    if matches!(status.status, SyncState::Queued | SyncState::Running) {
        return Ok(status.accepted());
    }
    if status.status == SyncState::Succeeded {
        let result = my_crush(&state, &account).await?;
        status.links.crush = result.crush.as_ref().map(|crush| crush.links.self_.clone());
        status.result = Some(result);
    }
    Ok(Json(status).into_response())
}

/// A public crush page: both accounts' usernames and pictures and the counts;
/// nothing private.
#[utoipa::path(
    get,
    path = "/api/crush/{slug}",
    tag = "crush",
    params(("slug" = String, Path, description = "The crush page's slug")),
    responses(
        (status = 200, description = "The crush", body = Crush),
        (status = 404, description = "No such crush", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_public_crush(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("no crush named {slug}"));
    let parsed: Slug = slug.parse().map_err(|_| not_found())?;
    let body = public_crush_body(&state, &parsed).await?.ok_or_else(not_found)?;
    let mut response = json_response(body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(response)
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
