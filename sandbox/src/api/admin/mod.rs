//! The sandbox's own controls under `/_sandbox`: the account list with each account's expected
//! crush, token minting, revocation and expiry, and the runtime knobs. Changing the data lives
//! in `changes.rs`; what the sandbox does to or for the app (callbacks, webhooks, call counts,
//! clock) in `app.rs`.

pub mod app;
pub mod changes;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::extract::{MetaPath, MetaQuery};
use super::oauth;
use super::public_base;
use crate::data::Interactor;
use crate::ids;
use crate::knobs::{Knobs, KnobsPatch};
use crate::scopes::Grant;
use crate::state::{Invalidation, Sandbox, Shared};
use crate::tokens::TokenKind;

/// One interactor as listed.
#[derive(Debug, Serialize)]
pub struct InteractorView {
    /// Handle.
    pub username: String,
    /// Instagram user id.
    pub user_id: String,
    /// The id the account sees in `from.id` (the IGSID in strict mode).
    pub from_id: String,
    /// Comments plus replies.
    pub interactions: u32,
    /// Distinct posts.
    pub posts: u32,
}

/// One account as listed by `GET /_sandbox/accounts`.
#[derive(Debug, Serialize)]
pub struct AccountView {
    /// Handle, usable as `login_hint`.
    pub username: String,
    /// Instagram user id (`user_id` on `/me`, `entry.id` of webhooks).
    pub user_id: String,
    /// App-scoped id (`id` on `/me`; the `user_id` of strict-mode callbacks).
    pub app_scoped_id: String,
    /// The id the owner's own comments carry in `from.id` in the current mode.
    pub owner_from_id: String,
    /// Display name.
    pub name: String,
    /// What the account demonstrates.
    pub about: &'static str,
    /// Profile picture served by the sandbox.
    pub profile_picture_url: String,
    /// Posts listed by `/me/media`.
    pub media_count: u32,
    /// Comments plus replies by others than the owner that can be attributed.
    pub interactions: u32,
    /// Comments plus replies whose author is withheld entirely (strict mode).
    pub unattributed: u32,
    /// Whether this is the large benchmark account.
    pub large: bool,
    /// Webhook fields the app is subscribed to for this account.
    pub subscribed_fields: Vec<String>,
    /// The crush by the app's rule (owner excluded, by username as well as id; ties by
    /// distinct posts, then most recent interaction, then smaller `from.id`); `null` when nobody
    /// interacted.
    pub expected_crush: Option<InteractorView>,
    /// Whether the top two have the same number of interactions.
    pub tie: bool,
    /// The five best interactors.
    pub top_interactors: Vec<InteractorView>,
}

fn view(state: &Sandbox, i: &Interactor) -> InteractorView {
    InteractorView {
        username: state.data.person_by_index(i.person).map(|p| p.username).unwrap_or_default(),
        user_id: ids::user_id(i.person).to_string(),
        from_id: i.from_id.to_string(),
        interactions: i.interactions,
        posts: i.posts,
    }
}

/// `GET /_sandbox/accounts`.
pub async fn accounts(State(state): State<Shared>, headers: HeaderMap) -> Json<serde_json::Value> {
    let base = public_base(&state, &headers);
    let accounts: Vec<AccountView> = state
        .data
        .accounts
        .iter()
        .enumerate()
        .map(|(slot, a)| {
            let ranking = state.ranking(slot);
            let top = &ranking.interactors;
            AccountView {
                username: a.owner.username.clone(),
                user_id: a.owner.user_id.to_string(),
                app_scoped_id: ids::app_scoped_id(a.index).to_string(),
                owner_from_id: state.shown_id(a.index, a.index).to_string(),
                name: a.owner.name.clone(),
                about: a.about,
                profile_picture_url: format!("{base}/_sandbox/pictures/{}.svg", a.owner.username),
                media_count: state.view(a).listed_count(),
                interactions: top.iter().map(|i| i.interactions).sum(),
                unattributed: ranking.unattributed,
                large: a.is_large(),
                subscribed_fields: state.subscribed_fields(a.index),
                expected_crush: top.first().map(|i| view(&state, i)),
                tie: top.len() >= 2 && top[0].interactions == top[1].interactions,
                top_interactors: top.iter().take(5).map(|i| view(&state, i)).collect(),
            }
        })
        .collect();
    Json(json!({ "seed": state.data.seed, "lenient": !state.strict(), "accounts": accounts }))
}

/// A 404 for an unknown account.
pub(crate) fn not_found(username: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": format!("no sandbox account {username}") })))
        .into_response()
}

/// A 400 with a plain explanation.
pub(crate) fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message.into() }))).into_response()
}

/// `POST /_sandbox/accounts/{username}/revoke`: every token issued so far now fails with 190/460.
pub async fn revoke(State(state): State<Shared>, MetaPath(username): MetaPath<String>) -> Response {
    invalidate(&state, &username, Invalidation::Revoked)
}

/// `POST /_sandbox/accounts/{username}/expire`: every token issued so far now fails with 190/463.
pub async fn expire(State(state): State<Shared>, MetaPath(username): MetaPath<String>) -> Response {
    invalidate(&state, &username, Invalidation::Expired)
}

fn invalidate(state: &Shared, username: &str, why: Invalidation) -> Response {
    match state.data.account_by_username(username) {
        Some(account) => {
            state.invalidate(account.index, why);
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found(username),
    }
}

/// Query of the token minting.
#[derive(Debug, Deserialize)]
pub struct MintQuery {
    /// Permissions to grant (comma-separated); all when absent.
    scopes: Option<String>,
}

/// `POST /_sandbox/accounts/{username}/token[?scopes=…]`: a long-lived token without the OAuth
/// dance, issued now by the sandbox clock.
pub async fn mint(
    State(state): State<Shared>,
    MetaPath(username): MetaPath<String>,
    MetaQuery(q): MetaQuery<MintQuery>,
) -> Response {
    let Some(account) = state.data.account_by_username(&username) else {
        return not_found(&username);
    };
    let grant = q.scopes.as_deref().map_or(Grant::FULL, Grant::parse);
    let ttl = state.knobs().token_ttl_secs.max(1);
    Json(json!({
        "access_token": oauth::issue(&state, account.index, TokenKind::Long, ttl, grant),
        "token_type": "bearer",
        "expires_in": ttl,
        "user_id": account.owner.user_id.to_string(),
        "permissions": grant.to_string(),
    }))
    .into_response()
}

/// `GET /_sandbox/knobs`.
pub async fn knobs(State(state): State<Shared>) -> Json<Knobs> {
    Json(state.knobs())
}

/// `PUT /_sandbox/knobs`: change some knobs; absent fields keep their value.
pub async fn set_knobs(State(state): State<Shared>, Json(patch): Json<KnobsPatch>) -> Json<Knobs> {
    Json(state.update_knobs(|k| k.apply(patch)))
}

/// `DELETE /_sandbox/knobs`: back to the start-up configuration; forgets rate-limit windows and
/// revocations.
pub async fn reset(State(state): State<Shared>) -> Json<Knobs> {
    Json(state.reset())
}
