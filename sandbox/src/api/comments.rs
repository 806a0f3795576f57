//! Comments and replies as the Graph API returns them: `from{id,username}`, nested `replies`
//! pages, and `/{comment-id}/replies` pages. In strict mode `from.id` is the commenter's
//! Instagram-scoped id, a few authors are withheld, and a nested `replies{…}` page carries no
//! `next` link (only `/{comment-id}/replies` reads a long thread to the end).

use serde_json::{Map, Value, json};

use super::graph::{COMMENT_FIELDS, Ctx, Params};
use super::paging::{self, Window};
use crate::data::Interaction;
use crate::data::withheld::{self, Shown};
use crate::fields::Fields;
use crate::ids::{self, CommentId, MediaId};
use crate::meta_error::GraphError;

/// A comment or reply as JSON, its author shown as the mode and `shown` allow.
fn interaction_value(
    ctx: &Ctx<'_>,
    id: u64,
    i: &Interaction,
    media: MediaId,
    added: bool,
) -> Map<String, Value> {
    let account = ctx.caller.account;
    let person = ctx.state.data.person(account, i.author);
    let from_id = ids::from_id(i.author.person(account.index), account.index, ctx.strict);
    let mut value = json!({
        "id": id.to_string(),
        "text": i.text,
        "timestamp": super::meta_time(i.timestamp),
        "username": person.username,
        "from": { "id": from_id.to_string(), "username": person.username },
        "like_count": 0,
        "hidden": false,
        "media": { "id": media.value().to_string() },
    });
    let shown = if ctx.strict && !added {
        withheld::shown(ctx.state.data.seed, id, i.author, account.index, ctx.state.protected_on(account))
    } else {
        Shown::Full
    };
    if let Some(map) = value.as_object_mut() {
        if shown != Shown::Full {
            map.remove("from");
        }
        if shown == Shown::Nothing {
            map.remove("username");
        }
    }
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(super) fn comments_page(ctx: &Ctx<'_>, media: MediaId, node: &str) -> Result<Value, GraphError> {
    let fields = ctx.fields("id,text,timestamp")?;
    let window = Window::from_query(&ctx.query, ctx.page_size())?;
    let total = ctx.view.comment_count(media.post);
    let range = window.range(total);
    let mut data = Vec::with_capacity(range.len());
    for c in range.clone() {
        let Some(comment) = ctx.view.comment(media.post, c) else {
            continue;
        };
        let id = CommentId { media, comment: c };
        let added = ctx.view.is_added_comment(media.post, c);
        let mut map = interaction_value(ctx, id.value(), &comment, media, added);
        if let Some(replies) = fields.get("replies") {
            let sub = replies.sub.clone().unwrap_or_else(|| Fields::parse("id").unwrap_or_default());
            let limit = replies.limit.unwrap_or(u32::MAX).min(ctx.page_size());
            let nested = replies_page(ctx, id, &sub, Window { offset: 0, limit }, None)?;
            map.insert("replies".into(), nested);
        }
        data.push(fields.project(&map, COMMENT_FIELDS).map_err(GraphError::bad_param)?);
    }
    let path = format!("/{}/{node}/comments", ctx.version);
    Ok(paging::envelope(data, range, total, |c| paging::link(&ctx.base, &path, &ctx.query, c)))
}

/// A page of replies; `query` is the request's own query for a top-level `/replies` call, or
/// `None` when nested in a comment (then links carry the nested selection and the token, and
/// strict mode leaves `next` out).
pub(super) fn replies_page(
    ctx: &Ctx<'_>,
    id: CommentId,
    fields: &Fields,
    window: Window,
    query: Option<&Params>,
) -> Result<Value, GraphError> {
    let post = id.media.post;
    let total = ctx.view.reply_count(post, id.comment);
    let range = window.range(total);
    let mut data = Vec::with_capacity(range.len());
    for r in range.clone() {
        let Some(reply) = ctx.view.reply(post, id.comment, r) else {
            continue;
        };
        let reply_id = ids::ReplyId { parent: id, reply: r };
        let added = ctx.view.is_added_reply(post, id.comment, r);
        let mut map = interaction_value(ctx, reply_id.value(), &reply, id.media, added);
        map.insert("parent_id".into(), id.value().to_string().into());
        data.push(fields.project(&map, COMMENT_FIELDS).map_err(GraphError::bad_param)?);
    }
    let nested: Params;
    let link_query = match query {
        Some(q) => q,
        None => {
            let mut q = vec![
                ("fields".to_owned(), fields.to_string()),
                ("limit".to_owned(), window.limit.to_string()),
            ];
            if let Some(token) = ctx.param("access_token") {
                q.push(("access_token".to_owned(), token.to_owned()));
            }
            nested = q;
            &nested
        }
    };
    let incomplete_nested = query.is_none() && ctx.strict;
    let path = format!("/{}/{}/replies", ctx.version, id.value());
    Ok(paging::envelope(data, range, total, |c| {
        if incomplete_nested && c.0 == "after" {
            return None;
        }
        paging::link(&ctx.base, &path, link_query, c)
    }))
}
