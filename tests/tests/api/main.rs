//! Integration tests: the real server on port 0, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod auth;
mod budget;
mod cli;
mod crush_api;
mod db_cancellation;
mod errors;
mod fault_drill;
mod incremental;
mod insights;
mod insights_api;
mod instagram_client;
mod jobs_batches;
mod jobs_queue;
mod jobs_workers;
mod ops;
mod rate_limits;
mod read_cache;
mod reliability;
mod resync;
mod revocation_broadcast;
mod sandbox;
mod schema;
mod security;
mod strict;
mod sync;
mod sync_job;
mod web_app;
mod webhooks;
