//! The sync status resource (`SyncStatus`) and asking for a sync now.

use std::time::Duration;

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    AppState,
    crush::MyCrush,
    error::{ApiError, Problem, SIGN_IN_URL},
    extract::Json,
    jobs::JobSummary,
};
use crate::{
    auth::CurrentUser,
    crush,
    entities::job::{self, JobState},
    jobs::{JobProblem, Progress, store::now},
    sync::{self, SyncOverview, SyncPhase},
};

/// How soon a client should poll again while a sync runs.
pub const POLL_AFTER: Duration = Duration::from_secs(2);
/// How often a user may ask for a sync.
const SYNC_COOLDOWN: Duration = Duration::from_secs(60);

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The public crush page's resource, when there is a crush.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crush: Option<String>,
    /// Where to sign in again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in: Option<String>,
}

/// A user's sync: poll it while `queued` or `running`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
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
    "links": {"job": "/api/jobs/42"}
}))]
pub struct SyncStatus {
    /// Where the sync stands.
    pub status: SyncState,
    /// The sync job.
    pub job: Option<JobSummary>,
    /// Posts done of total, while running.
    pub progress: Option<Progress>,
    /// Why it failed.
    pub error: Option<JobProblem>,
    /// Whether asking again (`POST /api/users/me/sync`) may help.
    pub retry_allowed: bool,
    /// The outcome, once succeeded.
    pub result: Option<MyCrush>,
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
            status: job_state_to_sync(job.state),
            progress: summary.progress.clone(),
            retry_allowed: job.state == JobState::Failed,
            error: if job.state.is_active() { None } else { summary.error.clone() },
            job: Some(summary),
            result: None,
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
            status: SyncState::Succeeded,
            job: None,
            progress: None,
            error: None,
            retry_allowed: true,
            result: None,
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

/// Asks for a sync now: `202` with the sync's status (the running one, if a
/// sync is already under way). At most one request a minute per user.
#[utoipa::path(
    post,
    path = "/api/users/me/sync",
    tag = "crush",
    security(("session_cookie" = []), ("bearer" = [])),
    responses(
        (status = 202, description = "Sync queued or already running", body = SyncStatus,
         headers(("Location" = String, description = "The job"), ("Retry-After" = u64, description = "Seconds until the next poll"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No Instagram account is linked to this user", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Instagram needs a new sign-in (`needs_reauth`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Asked too recently", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn start_sync(State(state): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let account = crush::owner_account(&state.db, user.id).await?.ok_or_else(super::crush::no_account)?;
    let overview =
        sync::overview(&state.db, user.id, account.last_synced_at, super::crush::fresh_for(&state)).await?;
    match overview.phase {
        SyncPhase::NeedsReauth => return Err(ApiError::NeedsReauth),
        SyncPhase::Active => {}
        _ => {
            if let Some(wait) = overview.latest.as_ref().and_then(cooldown_left) {
                return Err(ApiError::TooManyRequests { retry_after: wait });
            }
        }
    }
    let job = sync::request_sync(&state, user.id).await?;
    Ok(SyncStatus::of_job(&job).accepted())
}

/// How long until a user whose latest sync is `latest` may start another; `None` once they may.
pub fn cooldown_left(latest: &job::Model) -> Option<Duration> {
    let since = now() - latest.created_at;
    let left = time::Duration::try_from(SYNC_COOLDOWN).ok()? - since;
    (left > time::Duration::ZERO).then(|| left.unsigned_abs())
}
