//! The signed-in user's crush and the sync behind it: `GET /api/crush` (the crush when the
//! data is fresh, else the sync to watch), the status to poll (`SyncStatus`), and asking for a
//! sync now.

use std::time::Duration;

use axum::{
    extract::{FromRef as _, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::problems::{NeedsReauth, NoAccount, NotSignedIn, OtherProblem};
use super::{
    AppState, ClientAddr, CurrentUser,
    crush::{MyCrush, json_bytes, json_response},
    error::{ApiError, Problem, SIGN_IN_URL},
    extract::Json,
    jobs::JobSummary,
};
use crate::{
    crush::{self, OwnerAccount},
    entities::job::{self, JobState},
    jobs::{JobProblem, Progress},
    rate_limit::Action,
    sync::{self, CrushNeed, SyncContext, SyncNow, SyncOverview, SyncPhase},
};

/// How soon a client should poll again while a sync runs.
pub const POLL_AFTER: Duration = Duration::from_secs(2);

/// Where a sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Waiting for a worker.
    Queued,
    /// Running; see `progress`.
    Running,
    /// Done; `result` holds the crush.
    Succeeded,
    /// Failed; see `error` and `retry_allowed`.
    Failed,
    /// Instagram wants the user to sign in again; see `links.sign_in`.
    NeedsReauth,
}

/// Links from a sync status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SyncLinks {
    /// The job resource.
    #[schema(required = true)]
    pub job: Option<String>,
    /// The public crush page's resource, when there is a crush.
    #[schema(required = true)]
    pub crush: Option<String>,
    /// Where to sign in again.
    #[schema(required = true)]
    pub sign_in: Option<String>,
}

/// What a `SyncStatus` body is: always `sync_status` (`GET /api/crush` answers a `MyCrush` too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatusResource {
    /// A `SyncStatus`.
    #[default]
    SyncStatus,
}

/// A user's sync: poll it while `queued` or `running`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "resource": "sync_status",
    "status": "running",
    "job": {
        "id": 42, "kind": "sync_feed", "state": "running", "attempts": 1, "max_attempts": 5,
        "created_at": "2026-11-29T03:12:40.000001Z", "started_at": "2026-11-29T03:12:40.200001Z",
        "finished_at": null, "progress": {"done": 7, "total": 24, "phase": "comments"}, "error": null
    },
    "progress": {"done": 7, "total": 24, "phase": "comments"},
    "error": null,
    "retry_allowed": false,
    "result": null,
    "resumes_at": null,
    "links": {"job": "/api/jobs/42", "crush": null, "sign_in": null}
}))]
pub struct SyncStatus {
    /// Always `sync_status`: tells this body from a `MyCrush` without the status code.
    pub resource: SyncStatusResource,
    /// Where the sync stands.
    pub status: SyncState,
    /// The sync job.
    #[schema(required = true)]
    pub job: Option<JobSummary>,
    /// Posts done of total, while running.
    #[schema(required = true)]
    pub progress: Option<Progress>,
    /// Why it failed.
    #[schema(required = true)]
    pub error: Option<JobProblem>,
    /// Whether asking again (`POST /api/users/me/sync`) may help.
    pub retry_allowed: bool,
    /// The outcome, once succeeded.
    #[schema(required = true)]
    pub result: Option<MyCrush>,
    /// Set while the sync waits because Instagram asked us to slow down (it throttled us, or
    /// its rate budget is spent): when the sync resumes, where it stopped.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    pub resumes_at: Option<OffsetDateTime>,
    /// Related resources.
    pub links: SyncLinks,
}

fn job_state_to_sync(state: JobState) -> SyncState {
    match state {
        JobState::Queued => SyncState::Queued,
        JobState::Running => SyncState::Running,
        JobState::Succeeded => SyncState::Succeeded,
        JobState::Failed | JobState::Cancelled => SyncState::Failed,
    }
}

impl SyncStatus {
    /// The status of `job` (active or not), before any result is attached.
    pub fn of_job(job: &job::Model) -> Self {
        let summary = JobSummary::from(job);
        Self {
            resource: SyncStatusResource::SyncStatus,
            status: job_state_to_sync(job.state),
            progress: summary.progress.clone(),
            retry_allowed: job.state == JobState::Failed,
            // An earlier attempt's error stays in the job's history, not in a sync that went on to succeed.
            error: if matches!(job.state, JobState::Failed | JobState::Cancelled) {
                summary.error.clone()
            } else {
                None
            },
            job: Some(summary),
            result: None,
            resumes_at: sync::resumes_at(job),
            links: SyncLinks { job: Some(JobSummary::path(job.id)), ..SyncLinks::default() },
        }
    }

    /// The status from an overview: needs re-auth overrides a job's own state.
    pub fn of_overview(overview: &SyncOverview) -> Self {
        let mut status = overview.latest.as_ref().map_or_else(Self::synced, Self::of_job);
        if overview.phase == SyncPhase::NeedsReauth {
            status.status = SyncState::NeedsReauth;
            status.retry_allowed = false;
            status.links.sign_in = Some(format!("{SIGN_IN_URL}?return_to=/loading"));
        }
        status
    }

    fn synced() -> Self {
        Self {
            resource: SyncStatusResource::SyncStatus,
            status: SyncState::Succeeded,
            job: None,
            progress: None,
            error: None,
            retry_allowed: true,
            result: None,
            resumes_at: None,
            links: SyncLinks::default(),
        }
    }

    /// `202 Accepted` with `Location` (the job) and `Retry-After`.
    pub fn accepted(self) -> Response {
        let location = self.links.job.clone();
        let mut response = (StatusCode::ACCEPTED, Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::RETRY_AFTER, HeaderValue::from(POLL_AFTER.as_secs()));
        if let Some(value) = location.and_then(|location| HeaderValue::from_str(&location).ok()) {
            headers.insert(header::LOCATION, value);
        }
        response
    }
}

async fn my_crush(state: &AppState, account: &OwnerAccount) -> Result<MyCrush, ApiError> {
    let crush = crush::current(&state.db, account.id).await?;
    Ok(MyCrush::of(account, crush))
}

/// My crush, or the sync that brings it.
///
/// `200` with the crush when the data is fresh. Otherwise a sync is started (or the running one
/// found) and the answer is `202` with its status.
///
/// Polling: a `202` carries `Location` (the job) and `Retry-After` (seconds); wait that long and
/// `GET /api/crush/loading` until it answers `200`. The body's `resource` tells a `MyCrush`
/// (`my_crush`) from a `SyncStatus` (`sync_status`) as well as the status does.
#[utoipa::path(
    get,
    path = "/api/crush",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Fresh: the crush, or nobody yet", body = MyCrush),
        (status = 202, description = "Syncing (or a sync failed less than a minute ago): poll the status", body = SyncStatus,
         headers(("Location" = String, description = "The sync's job (`GET` it for its state); always sent"), ("Retry-After" = u64, description = "Seconds to wait before polling again; always sent"))),
        NotSignedIn,
        NoAccount,
        NeedsReauth,
        OtherProblem,
    )
)]
pub async fn get_crush(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    if let Some(body) = state.caches.my_crush.get(&user.id) {
        return Ok(json_response(body));
    }
    let ctx = SyncContext::from_ref(&state);
    match sync::crush_or_sync(&ctx, user.id).await?.ok_or_else(ApiError::no_account)? {
        CrushNeed::Fresh { account, crush, fresh_left } => {
            let body = json_bytes(&MyCrush::of(&account, crush))?;
            // Kept no longer than the data stays fresh (nor than the read cache's TTL).
            state.caches.my_crush.insert(user.id, body.clone(), Some(fresh_left));
            Ok(json_response(body))
        }
        CrushNeed::Watch(job) => Ok(SyncStatus::of_job(&job).accepted()),
        CrushNeed::NeedsReauth => Err(ApiError::NeedsReauth),
    }
}

/// My sync's status, to poll.
///
/// `202` while queued or running (with progress); `200` once it ended. A stale account with
/// nothing running gets a sync started.
///
/// Poll it at the pace `Retry-After` gives while it answers `202`. A `200` is final: `status` is
/// `succeeded` (`result` holds the crush), `failed` (`error`, and `retry_allowed`) or
/// `needs_reauth` (`links.sign_in`).
#[utoipa::path(
    get,
    path = "/api/crush/loading",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The sync ended", body = SyncStatus),
        (status = 202, description = "Queued or running: poll again", body = SyncStatus,
         headers(("Location" = String, description = "The sync's job (`GET` it for its state); always sent"), ("Retry-After" = u64, description = "Seconds to wait before polling again; always sent"))),
        NotSignedIn,
        NoAccount,
        OtherProblem,
    )
)]
pub async fn get_sync_status(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let ctx = SyncContext::from_ref(&state);
    let (account, overview) = sync::sync_overview(&ctx, user.id).await?.ok_or_else(ApiError::no_account)?;
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

/// Asks for a sync now.
///
/// `202` with the sync's status (the running one, if a sync is already under way). Then poll
/// `GET /api/crush/loading` as `Location` and `Retry-After` say. At most one request a minute per
/// user: within a minute of the previous one the answer is `429` with `Retry-After`.
#[utoipa::path(
    post,
    path = "/api/users/me/sync",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 202, description = "Sync queued or already running", body = SyncStatus,
         headers(("Location" = String, description = "The sync's job (`GET` it for its state); always sent"), ("Retry-After" = u64, description = "Seconds to wait before polling again; always sent"))),
        NotSignedIn,
        NoAccount,
        (status = 403, description = "Instagram needs a new sign-in (`needs_reauth`), or a cookie-authenticated \
                                      call lacks the CSRF header (`csrf_header_missing`)",
         body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Asked too recently (a minute per user), or too many requests from this \
                                      address or user", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        OtherProblem,
    )
)]
pub async fn start_sync(
    State(state): State<AppState>,
    addr: ClientAddr,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    addr.limit(&state, Action::Sync, Some(&format!("user:{}", user.id)))?;
    match sync::sync_now(&SyncContext::from_ref(&state), user.id).await?.ok_or_else(ApiError::no_account)? {
        SyncNow::Watch(job) => Ok(SyncStatus::of_job(&job).accepted()),
        SyncNow::TooSoon(wait) => Err(ApiError::TooManyRequests { retry_after: wait }),
        SyncNow::NeedsReauth => Err(ApiError::NeedsReauth),
    }
}
