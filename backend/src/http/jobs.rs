//! One job's status, for its owner.

use axum::extract::State;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::problems::{NotSignedIn, OtherProblem};
use super::{
    AppState, CurrentUser,
    error::{ApiError, Problem},
    extract::{Json, Path},
};
use crate::{
    entities::job::{self, JobState},
    jobs::{JobProblem, Progress},
};

/// A background job.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobSummary {
    /// The job's id.
    pub id: i64,
    /// What kind of work, e.g. `sync_feed`.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub state: JobState,
    /// Attempts started so far.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// When it was enqueued.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When the latest attempt started.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub started_at: Option<OffsetDateTime>,
    /// When it finished.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub finished_at: Option<OffsetDateTime>,
    /// Progress of the running attempt.
    #[schema(required = true)]
    pub progress: Option<Progress>,
    /// The last error.
    #[schema(required = true)]
    pub error: Option<JobProblem>,
}

impl JobSummary {
    /// The job resource's path.
    pub fn path(id: i64) -> String {
        format!("/api/jobs/{id}")
    }
}

impl From<&job::Model> for JobSummary {
    fn from(job: &job::Model) -> Self {
        Self {
            id: job.id,
            kind: job.kind.clone(),
            state: job.state,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            progress: job.progress.clone().and_then(|value| serde_json::from_value(value).ok()),
            error: job.last_error.clone().and_then(|value| serde_json::from_value(value).ok()),
        }
    }
}

/// One of my jobs.
///
/// The job a sync's `Location` names: its state, attempts, progress and last error. Anyone
/// else's job is not found.
#[utoipa::path(
    get,
    path = "/api/jobs/{id}",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = JobSummary),
        (status = 400, description = "Not a job id", body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 404, description = "No such job of yours", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn get_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<JobSummary>, ApiError> {
    let job = job::Entity::find_by_id(id)
        .filter(job::Column::UserId.eq(user.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no job {id}")))?;
    Ok(Json(JobSummary::from(&job)))
}
