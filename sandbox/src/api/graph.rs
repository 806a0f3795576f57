//! The Graph API reads the app needs: `/me`, `/me/media`, `/{media-id}`, `/{media-id}/comments`
//! (with nested `replies`) and `/{comment-id}/replies`, shaped by the `fields` parameter and
//! cursor-paged; plus `/me/subscribed_apps`. Paths may carry a version (`/v26.0/me`) or not
//! (`/me`, served as the oldest available version, as on Meta). Comments and replies are built
//! in `comments.rs`, subscriptions in `subscriptions.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::auth::{self, Caller};
use super::extract::{MetaPath, MetaQuery};
use super::paging::{self, Window};
use super::{comments, public_base, subscriptions};
use crate::data::View;
use crate::fields::Fields;
use crate::ids::{self, MediaId, Node};
use crate::meta_error::GraphError;
use crate::scopes;
use crate::state::{Sandbox, Shared};

pub(super) type Params = Vec<(String, String)>;

/// The version unversioned paths are served as: the oldest Graph API version still available.
pub const OLDEST_VERSION: &str = "v21.0";

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
    pub(super) view: View<'a>,
    pub(super) strict: bool,
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
    /// Fails with Meta's missing-permission error unless the token carries `permission`.
    pub(super) fn require(&self, permission: &str) -> Result<(), GraphError> {
        if self.caller.claims.grant.has(permission) { Ok(()) } else { Err(GraphError::missing_permission()) }
    }
}

/// Whether a path segment is a Graph API version, e.g. `v26.0`.
pub fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|v| {
        v.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        })
    })
}

/// Splits the version off a path: an explicit one, or the oldest for an unversioned path. A
/// segment that tries to be a version and is not one is an unknown path.
fn split_version(segments: &[String]) -> Result<(String, &[String]), GraphError> {
    match segments.split_first() {
        Some((first, rest)) if is_version(first) => Ok((first.clone(), rest)),
        Some((first, _))
            if first.len() > 1
                && first.starts_with('v')
                && first[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.') =>
        {
            Err(GraphError::unknown_path(first))
        }
        _ => Ok((OLDEST_VERSION.to_owned(), segments)),
    }
}

fn context<'a>(
    state: &'a Sandbox,
    version: String,
    headers: &HeaderMap,
    query: Params,
) -> Result<Ctx<'a>, GraphError> {
    let caller = auth::verify(state, auth::token_of(headers, &query))?;
    let view = state.view(caller.account);
    Ok(Ctx { state, view, strict: state.strict(), caller, base: public_base(state, headers), version, query })
}

fn respond(result: Result<Value, GraphError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Every Graph path: `/[{version}/]{node}[/{edge}]`.
pub async fn call(
    State(state): State<Shared>,
    method: Method,
    MetaPath(segments): MetaPath<Vec<String>>,
    headers: HeaderMap,
    MetaQuery(query): MetaQuery<Params>,
) -> Response {
    let full_path = segments.join("/");
    respond(split_version(&segments).and_then(|(version, rest)| {
        let ctx = context(&state, version, &headers, query)?;
        match (rest, &method) {
            ([node, edge], _) if edge == "subscribed_apps" => subscriptions::handle(&ctx, &method, node),
            ([node], &Method::GET) => node_of(&ctx, node),
            ([node, edge], &Method::GET) => edge_of(&ctx, node, edge),
            (_, &Method::GET) => Err(GraphError::unknown_path(&full_path)),
            _ => Err(GraphError::bad_param(format!(
                "(#100) Unsupported {} request.",
                method.as_str().to_lowercase()
            ))),
        }
    }))
}

/// `GET /{node}`: the signed-in user (`me` or their user id) or one of their posts.
fn node_of(ctx: &Ctx<'_>, node: &str) -> Result<Value, GraphError> {
    match resolve(ctx, node)? {
        Node::User(_) => profile(ctx),
        Node::Media(id) => {
            let fields = ctx.fields("id")?;
            let post = media_value(ctx, id).ok_or_else(|| GraphError::unknown_object(node))?;
            fields.project(&post, MEDIA_FIELDS).map_err(GraphError::bad_param)
        }
        _ => Err(GraphError::unknown_object(node)),
    }
}

/// `GET /{node}/{edge}`: `media` of the user, `comments` of a post, `replies` of a comment.
fn edge_of(ctx: &Ctx<'_>, node: &str, edge: &str) -> Result<Value, GraphError> {
    match (resolve(ctx, node)?, edge) {
        (Node::User(_), "media") => media_page(ctx, &format!("/{}/{node}/media", ctx.version)),
        (Node::Media(id), "comments") => {
            ctx.require(scopes::MANAGE_COMMENTS)?;
            comments::comments_page(ctx, id, node)
        }
        (Node::Comment(id), "replies") => {
            ctx.require(scopes::MANAGE_COMMENTS)?;
            let fields = ctx.fields("id,text,timestamp")?;
            let window = Window::from_query(&ctx.query, ctx.page_size())?;
            comments::replies_page(ctx, id, &fields, window, Some(&ctx.query))
        }
        _ => Err(GraphError::unknown_path(&format!("{node}/{edge}"))),
    }
}

/// Resolves a path node, checking that it belongs to the caller's account and still exists.
pub(super) fn resolve(ctx: &Ctx<'_>, node: &str) -> Result<Node, GraphError> {
    let account = ctx.caller.account;
    if node == "me" {
        return Ok(Node::User(account.index));
    }
    let owned = match ids::parse(node) {
        Some(Node::User(p)) if p == account.index => Some(Node::User(p)),
        Some(Node::Media(m)) if m.account == account.index && ctx.view.readable(m.post) => {
            Some(Node::Media(m))
        }
        Some(Node::Comment(c))
            if c.media.account == account.index
                && ctx.view.readable(c.media.post)
                && c.comment < ctx.view.comment_count(c.media.post) =>
        {
            Some(Node::Comment(c))
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
        "media_count": ctx.view.listed_count(),
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
    let comments = ctx.view.comment_count(id.post);
    let replies: u32 = (0..comments).map(|c| ctx.view.reply_count(id.post, c)).sum();
    let mut value = json!({
        "id": media_id,
        "caption": post.caption,
        "media_type": post.media_type,
        "media_product_type": post.product_type(),
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
    let total = ctx.view.listed_count();
    let range = window.range(total);
    let data = range
        .clone()
        .filter_map(|position| ctx.view.listed_post(position))
        .filter_map(|p| media_value(ctx, ctx.caller.account.media_id(p)))
        .map(|m| fields.project(&m, MEDIA_FIELDS))
        .collect::<Result<Vec<_>, _>>()
        .map_err(GraphError::bad_param)?;
    Ok(paging::envelope(data, range, total, |c| paging::link(&ctx.base, path, &ctx.query, c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_split_off_and_unversioned_paths_get_the_oldest() {
        let path = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        let versioned = path("v26.0/me/media");
        assert_eq!(split_version(&versioned).map(|(v, r)| (v, r.len())), Ok(("v26.0".to_owned(), 2)));
        let bare = path("me");
        assert_eq!(split_version(&bare).map(|(v, r)| (v, r.len())), Ok((OLDEST_VERSION.to_owned(), 1)));
        assert!(split_version(&path("v26/me")).is_err());
        assert!(is_version("v21.0") && !is_version("v.0") && !is_version("me"));
    }
}
