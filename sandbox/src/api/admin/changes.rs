//! Changing the data while the sandbox runs: adding comments (which the app's webhook hears
//! about when the account is subscribed) and deleting posts, including deleting one between the
//! app's listing and its reading of the comments.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{bad_request, not_found};
use crate::api::extract::{MetaPath, MetaQuery};
use crate::data::{Account, Deletion};
use crate::events::{self, NewComment};
use crate::ids::{self, Node};
use crate::state::{Sandbox, Shared};

/// One comment to add.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// Username of the author: a community member, the owner, or another account's owner.
    author: String,
    /// The post; the newest one when absent (or the parent's post).
    media_id: Option<String>,
    /// The comment replied to, for a reply.
    parent_id: Option<String>,
    /// The text; a generated one when absent.
    text: Option<String>,
}

/// One comment or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Comments {
    /// One comment.
    One(CommentRequest),
    /// Several, added in order (and batched together when the webhook knobs allow).
    Many(Vec<CommentRequest>),
}

/// Turns a request into a comment to add, checking every id belongs to `account`.
fn parse(state: &Sandbox, account: &Account, r: CommentRequest) -> Result<NewComment, String> {
    let author =
        state.data.author_on(account, &r.author).ok_or_else(|| format!("no sandbox person {}", r.author))?;
    let post = match r.media_id.as_deref().map(ids::parse) {
        None => None,
        Some(Some(Node::Media(m))) if m.account == account.index => Some(m.post),
        Some(_) => {
            return Err(format!(
                "{} is not a post of {}",
                r.media_id.unwrap_or_default(),
                account.owner.username
            ));
        }
    };
    let parent = match r.parent_id.as_deref().map(ids::parse) {
        None => None,
        Some(Some(Node::Comment(c)))
            if c.media.account == account.index && post.is_none_or(|p| p == c.media.post) =>
        {
            Some(c)
        }
        Some(_) => return Err(format!("{} is not a comment on that post", r.parent_id.unwrap_or_default())),
    };
    Ok(NewComment {
        post: post.or(parent.map(|c| c.media.post)),
        author,
        text: r.text,
        parent: parent.map(|c| c.comment),
    })
}

/// `POST /_sandbox/accounts/{username}/comments`: adds one comment (`{"author","media_id"?,
/// "parent_id"?,"text"?}`) or a list of them; answers 201 with what was added.
pub async fn add(
    State(state): State<Shared>,
    MetaPath(username): MetaPath<String>,
    Json(body): Json<Comments>,
) -> Response {
    let Some(account) = state.data.account_by_username(&username) else {
        return not_found(&username);
    };
    let requests = match body {
        Comments::One(one) => vec![one],
        Comments::Many(many) => many,
    };
    let parsed: Result<Vec<NewComment>, String> =
        requests.into_iter().map(|r| parse(&state, account, r)).collect();
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => return bad_request(e),
    };
    let mut added = Vec::with_capacity(parsed.len());
    for new in parsed {
        match events::add_comment(&state, account, new) {
            Ok(a) => added.push(a),
            Err(e) => return bad_request(e),
        }
    }
    (StatusCode::CREATED, Json(json!({ "comments": added }))).into_response()
}

/// Query of a post deletion.
#[derive(Debug, Deserialize)]
pub struct DeleteQuery {
    /// Keep the post in `/me/media` (deleted between listing and reading).
    #[serde(default)]
    still_listed: bool,
}

/// `DELETE /_sandbox/media/{media-id}[?still_listed=true]`: deletes a post; reading it or its
/// comments then fails with 100/33. With `still_listed`, `/me/media` keeps listing it.
pub async fn delete_media(
    State(state): State<Shared>,
    MetaPath(id): MetaPath<String>,
    MetaQuery(q): MetaQuery<DeleteQuery>,
) -> Response {
    let Some(Node::Media(media)) = ids::parse(&id) else {
        return bad_request(format!("{id} is not a media id"));
    };
    let exists = state.data.account(media.account).is_some_and(|a| media.post < a.media_count());
    if !exists {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": format!("no post {id}") }))).into_response();
    }
    let how = if q.still_listed { Deletion::StillListed } else { Deletion::Gone };
    state.change(media.account, |changes| changes.deleted.insert(media.post, how));
    StatusCode::NO_CONTENT.into_response()
}

/// `DELETE /_sandbox/changes`: forgets every added comment and deleted post.
pub async fn reset(State(state): State<Shared>) -> StatusCode {
    state.reset_changes();
    StatusCode::NO_CONTENT
}
