//! Integration tests: the real server on port 0, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod cli;
mod errors;
mod ops;
mod schema;
mod instagram_client;
mod sandbox;
