//! The sandbox's own controls under `/_sandbox`: the account list with each account's expected
//! crush, token minting, revocation and expiry, and the runtime knobs.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::extract::MetaPath;
use super::public_base;
use crate::config::{Knobs, KnobsPatch};
use crate::data::{Interactor, people};
use crate::state::{Invalidation, Shared, now_ms, now_secs};
use crate::tokens::{Claims, TokenKind};

/// One interactor as listed.
#[derive(Debug, Serialize)]
pub struct InteractorView {
    /// Handle.
    pub username: String,
    /// Instagram user id.
    pub user_id: String,
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
    /// Instagram user id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// What the account demonstrates.
    pub about: &'static str,
    /// Profile picture served by the sandbox.
    pub profile_picture_url: String,
    /// Posts.
    pub media_count: u32,
    /// Comments plus replies by others than the owner.
    pub interactions: u32,
    /// Whether this is the large benchmark account.
    pub large: bool,
    /// The crush by the app's rule (owner excluded; ties by distinct posts, then most recent
    /// interaction, then smaller user id); `null` when nobody interacted.
    pub expected_crush: Option<InteractorView>,
    /// Whether the top two have the same number of interactions.
    pub tie: bool,
    /// The five best interactors.
    pub top_interactors: Vec<InteractorView>,
}

fn view(i: &Interactor) -> InteractorView {
    InteractorView {
        username: people::community_member(i.member).username,
        user_id: i.user_id().to_string(),
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
            AccountView {
                username: a.owner.username.clone(),
                user_id: a.owner.user_id.to_string(),
                name: a.owner.name.clone(),
                about: a.about,
                profile_picture_url: format!("{base}/_sandbox/pictures/{}.svg", a.owner.username),
                media_count: a.media_count(),
                interactions: ranking.iter().map(|i| i.interactions).sum(),
                large: a.is_large(),
                expected_crush: ranking.first().map(view),
                tie: ranking.len() >= 2 && ranking[0].interactions == ranking[1].interactions,
                top_interactors: ranking.iter().take(5).map(view).collect(),
            }
        })
        .collect();
    Json(json!({ "seed": state.data.seed, "accounts": accounts }))
}

fn not_found(username: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": format!("no sandbox account {username}") })))
        .into_response()
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

/// `POST /_sandbox/accounts/{username}/token`: a long-lived token without the OAuth dance.
pub async fn mint(State(state): State<Shared>, MetaPath(username): MetaPath<String>) -> Response {
    let Some(account) = state.data.account_by_username(&username) else {
        return not_found(&username);
    };
    let ttl = state.knobs().token_ttl_secs.max(1);
    let claims = Claims {
        kind: TokenKind::Long,
        person: account.index,
        issued_ms: now_ms(),
        expires: now_secs() + ttl,
    };
    Json(json!({
        "access_token": state.signer.issue(&claims),
        "token_type": "bearer",
        "expires_in": ttl,
        "user_id": account.owner.user_id.to_string(),
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

/// `DELETE /_sandbox/knobs`: back to the start-up configuration; forgets counters and revocations.
pub async fn reset(State(state): State<Shared>) -> Json<Knobs> {
    Json(state.reset())
}
