//! The Graph API reads the app needs: `/me`, `/me/media`, `/{media-id}/comments` (with nested
//! `replies`) and `/{comment-id}/replies`, shaped by the `fields` parameter and cursor-paged.
//! Comments and replies are built in `comments.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::{self, Caller};
use super::comments;
use super::extract::{MetaPath, MetaQuery};
use super::paging::{self, Window};
use super::public_base;
use crate::fields::Fields;
use crate::ids::{self, MediaId, Node};
use crate::meta_error::GraphError;
use crate::state::{Sandbox, Shared};

pub(super) type Params = Vec<(String, String)>;

const PROFILE_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
];
const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "media_url",
    "permalink",
    "thumbnail_url",
    "timestamp",
    "like_count",
    "comments_count",
    "username",
    "owner",
    "is_comment_enabled",
    "shortcode",
];
pub(super) const COMMENT_FIELDS: &[&str] =
    &["id", "text", "timestamp", "username", "from", "like_count", "media", "hidden", "replies", "parent_id"];

/// What every Graph handler needs to know about the request.
pub(super) struct Ctx<'a> {
    pub(super) state: &'a Sandbox,
    pub(super) caller: Caller<'a>,
    pub(super) base: String,
    pub(super) version: String,
    pub(super) query: Params,
}

impl Ctx<'_> {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub(super) fn fields(&self, default: &str) -> Result<Fields, GraphError> {
        Fields::from_param(self.param("fields"), default).map_err(GraphError::bad_param)
    }
    pub(super) fn page_size(&self) -> u32 {
        self.state.knobs().page_size.max(1)
    }
}

fn context<'a>(
    state: &'a Sandbox,
    version: String,
    headers: &HeaderMap,
    query: Params,
) -> Result<Ctx<'a>, GraphError> {
    let valid_version = version.strip_prefix('v').is_some_and(|v| {
        v.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        })
    });
    if !valid_version {
        return Err(GraphError::unknown_path(&version));
    }
    let caller = auth::verify(state, auth::token_of(headers, &query))?;
    Ok(Ctx { state, caller, base: public_base(state, headers), version, query })
}

fn respond(result: Result<Value, GraphError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /{version}/{node}`: the signed-in user (`me` or their user id) or one of their posts.
pub async fn node(
    State(state): State<Shared>,
    MetaPath((version, node)): MetaPath<(String, String)>,
    headers: HeaderMap,
    MetaQuery(query): MetaQuery<Params>,
) -> Response {
    respond(context(&state, version, &headers, query).and_then(|ctx| match resolve(&ctx, &node)? {
        Node::User(_) => profile(&ctx),
        Node::Media(id) => {
            let fields = ctx.fields("id")?;
            let post = media_value(&ctx, id).ok_or_else(|| GraphError::unknown_object(&node))?;
            fields.project(&post, MEDIA_FIELDS).map_err(GraphError::bad_param)
        }
        _ => Err(GraphError::unknown_object(&node)),
    }))
}

/// `GET /{version}/{node}/{edge}`: `media` of the user, `comments` of a post, `replies` of a comment.
pub async fn edge(
    State(state): State<Shared>,
    MetaPath((version, node, edge)): MetaPath<(String, String, String)>,
    headers: HeaderMap,
    MetaQuery(query): MetaQuery<Params>,
) -> Response {
    respond(context(&state, version, &headers, query).and_then(|ctx| {
        match (resolve(&ctx, &node)?, edge.as_str()) {
            (Node::User(_), "media") => media_page(&ctx, &format!("/{}/{node}/media", ctx.version)),
            (Node::Media(id), "comments") => comments::comments_page(&ctx, id, &node),
            (Node::Comment(id), "replies") => {
                let fields = ctx.fields("id,text,timestamp")?;
                let window = Window::from_query(&ctx.query, ctx.page_size())?;
                comments::replies_page(&ctx, id, &fields, window, Some(&ctx.query))
            }
            _ => Err(GraphError::unknown_path(&format!("{node}/{edge}"))),
        }
    }))
}

/// Resolves a path node, checking that it belongs to the caller's account.
fn resolve(ctx: &Ctx<'_>, node: &str) -> Result<Node, GraphError> {
    let account = ctx.caller.account;
    if node == "me" {
        return Ok(Node::User(account.index));
    }
    let owned = match ids::parse(node) {
        Some(Node::User(p)) if p == account.index => Some(Node::User(p)),
        Some(Node::Media(m)) if m.account == account.index && m.post < account.media_count() => {
            Some(Node::Media(m))
        }
        Some(Node::Comment(c)) if c.media.account == account.index => {
            account.comment(c.media.post, c.comment).map(|_| Node::Comment(c))
        }
        _ => None,
    };
    owned.ok_or_else(|| GraphError::unknown_object(node))
}

fn profile(ctx: &Ctx<'_>) -> Result<Value, GraphError> {
    let fields = ctx.fields("id,username")?;
    let account = ctx.caller.account;
    let owner = &account.owner;
    let value = json!({
        "id": ids::app_scoped_id(owner.index).to_string(),
        "user_id": owner.user_id.to_string(),
        "username": owner.username,
        "name": owner.name,
        "account_type": "BUSINESS",
        "profile_picture_url": format!("{}/_sandbox/pictures/{}.svg", ctx.base, owner.username),
        "followers_count": account.followers_count,
        "follows_count": account.follows_count,
        "media_count": account.media_count(),
        "biography": account.about,
    });
    let Value::Object(map) = value else {
        return Err(GraphError::server_error());
    };
    fields.project(&map, PROFILE_FIELDS).map_err(GraphError::bad_param)
}

fn media_value(ctx: &Ctx<'_>, id: MediaId) -> Option<Map<String, Value>> {
    let account = ctx.caller.account;
    let post = account.post(id.post)?;
    let media_id = id.value().to_string();
    let comments = account.comment_count(id.post);
    let replies: u32 = (0..comments).map(|c| account.reply_count(id.post, c)).sum();
    let mut value = json!({
        "id": media_id,
        "caption": post.caption,
        "media_type": post.media_type,
        "media_product_type": if post.media_type == "VIDEO" { "REELS" } else { "FEED" },
        "media_url": format!("{}/_sandbox/media/{media_id}.svg", ctx.base),
        "permalink": format!("{}/_sandbox/p/{media_id}", ctx.base),
        "shortcode": format!("SBX{:x}", id.value()),
        "timestamp": super::meta_time(post.timestamp),
        "like_count": post.like_count,
        "comments_count": comments + replies,
        "username": account.owner.username,
        "owner": { "id": account.owner.user_id.to_string() },
        "is_comment_enabled": true,
    });
    let map = value.as_object_mut()?;
    if post.media_type == "VIDEO" {
        map.insert("thumbnail_url".into(), format!("{}/_sandbox/media/{media_id}.svg", ctx.base).into());
    }
    Some(map.clone())
}

fn media_page(ctx: &Ctx<'_>, path: &str) -> Result<Value, GraphError> {
    let fields = ctx.fields("id")?;
    let window = Window::from_query(&ctx.query, ctx.page_size())?;
    let total = ctx.caller.account.media_count();
    let range = window.range(total);
    let data = range
        .clone()
        .filter_map(|p| media_value(ctx, ctx.caller.account.media_id(p)))
        .map(|m| fields.project(&m, MEDIA_FIELDS))
        .collect::<Result<Vec<_>, _>>()
        .map_err(GraphError::bad_param)?;
    Ok(paging::envelope(data, range, total, |c| paging::link(&ctx.base, path, &ctx.query, c)))
}
