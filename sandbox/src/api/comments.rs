//! Comments and replies as the Graph API returns them: `from{id,username}`, nested `replies`
//! pages whose `next` links carry the nested selection, and `/{comment-id}/replies` pages.

use serde_json::{Map, Value, json};

use super::graph::{COMMENT_FIELDS, Ctx, Params};
use super::paging::{self, Window};
use crate::data::{Account, Interaction};
use crate::fields::Fields;
use crate::ids::{self, CommentId, MediaId};
use crate::meta_error::GraphError;

fn interaction_value(ctx: &Ctx<'_>, id: String, i: &Interaction, media: MediaId) -> Map<String, Value> {
    let person = ctx.state.data.person(ctx.caller.account, i.author);
    let value = json!({
        "id": id,
        "text": i.text,
        "timestamp": super::meta_time(i.timestamp),
        "username": person.username,
        "from": { "id": person.user_id.to_string(), "username": person.username },
        "like_count": 0,
        "hidden": false,
        "media": { "id": media.value().to_string() },
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(super) fn comments_page(ctx: &Ctx<'_>, media: MediaId, node: &str) -> Result<Value, GraphError> {
    let fields = ctx.fields("id,text,timestamp")?;
    let window = Window::from_query(&ctx.query, ctx.page_size())?;
    let account: &Account = ctx.caller.account;
    let total = account.comment_count(media.post);
    let range = window.range(total);
    let mut data = Vec::with_capacity(range.len());
    for c in range.clone() {
        let Some(comment) = account.comment(media.post, c) else {
            continue;
        };
        let id = CommentId { media, comment: c };
        let mut map = interaction_value(ctx, id.value().to_string(), &comment, media);
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
/// `None` when nested in a comment (then links carry the nested selection and the token).
pub(super) fn replies_page(
    ctx: &Ctx<'_>,
    id: CommentId,
    fields: &Fields,
    window: Window,
    query: Option<&Params>,
) -> Result<Value, GraphError> {
    let account = ctx.caller.account;
    let total = account.reply_count(id.media.post, id.comment);
    let range = window.range(total);
    let mut data = Vec::with_capacity(range.len());
    for r in range.clone() {
        let Some(reply) = account.reply(id.media.post, id.comment, r) else {
            continue;
        };
        let reply_id = ids::ReplyId { parent: id, reply: r };
        let mut map = interaction_value(ctx, reply_id.value().to_string(), &reply, id.media);
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
    let path = format!("/{}/{}/replies", ctx.version, id.value());
    Ok(paging::envelope(data, range, total, |c| paging::link(&ctx.base, &path, link_query, c)))
}
