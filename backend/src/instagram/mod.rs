//! The Instagram API with Instagram Login, as Instacrush uses it: OAuth (authorize window, code
//! exchange, long-lived tokens, refresh), the profile, the user's media and the comments on it
//! with their replies, followed page by page to the end.
//!
//! Every failure is an [`InstagramError`] whose [`InstagramError::kind`] says what to do:
//! sign in again, wait (throttled, with the wait taken from Meta's usage headers), retry, or give
//! up. Tokens are [`AccessToken`]s, which never show in logs, errors or `Debug` output.
//! Base URLs come from [`InstagramConfig`], so the same client talks to Meta or to the sandbox
//! (`InstagramConfig::for_sandbox`).

mod client;
mod config;
mod error;
mod model;
mod oauth;
mod pages;
mod subscriptions;
mod token;
mod usage;

pub use client::{CallObserver, CallRecord, InstagramClient, PROFILE_FIELDS};
pub use config::{AppSecret, DEFAULT_GRAPH_API_VERSION, InstagramConfig};
pub use error::{ApiError, DEFAULT_THROTTLE_WAIT, ErrorKind, InstagramError, SATURATED_THROTTLE_WAIT};
pub use model::{Author, Comment, Media, Profile, Reply, parse_meta_time};
pub use oauth::{BASIC_PERMISSION, COMMENTS_PERMISSION, SCOPES};
pub use pages::{COMMENT_FIELDS, COMMENTS_PAGE_SIZE, MEDIA_FIELDS, PageItem, Pages, REPLY_FIELDS};
pub use subscriptions::COMMENTS_FIELD;
pub use token::{AccessToken, LongLivedToken, ShortLivedToken};
pub use usage::{ScopedUsage, Usage, UsageScope};
