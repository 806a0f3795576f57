//! Instacrush: who interacts most with your Instagram posts.
//!
//! The library behind the `instacrush` binary: configuration, database,
//! HTTP API and background work. Tests build the same server it runs.

pub mod app;
pub mod auth;
pub mod cache;
pub mod config;
pub mod crush;
pub mod db;
pub mod entities;
pub mod http;
pub mod instagram;
pub mod jobs;
pub mod metrics;
pub mod rate_limit;
pub mod share;
pub mod shutdown;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod webhooks;
