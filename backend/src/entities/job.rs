//! `jobs`: the durable queue and, at once, the status resource the API shows.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a job is in its life: `queued → running → succeeded | failed | cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, Serialize, Deserialize, ToSchema)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker (or for its `run_at`).
    #[sea_orm(string_value = "queued")]
    Queued,
    /// A worker holds its lease.
    #[sea_orm(string_value = "running")]
    Running,
    /// Performed.
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    /// Gave up: a permanent error, or out of attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Cancelled before it ran.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

impl JobState {
    /// Whether the job can still change (queued or running).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// A job row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub args: Json,
    pub dedupe_key: Option<String>,
    pub schedule_key: Option<String>,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: TimeDateTimeWithTimeZone,
    pub started_at: Option<TimeDateTimeWithTimeZone>,
    pub finished_at: Option<TimeDateTimeWithTimeZone>,
    pub lease_expires_at: Option<TimeDateTimeWithTimeZone>,
    pub worker_id: Option<String>,
    pub progress: Option<Json>,
    pub last_error: Option<Json>,
    pub checkpoint: Option<Json>,
    pub user_id: Option<i64>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
