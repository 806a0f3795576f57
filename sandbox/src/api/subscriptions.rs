//! `/me/subscribed_apps`: which webhook fields the app receives for the signed-in account.
//! `POST ?subscribed_fields=comments` subscribes (replacing earlier fields) and answers
//! `{"success":true}`; `GET` lists `{"data":[{"subscribed_fields":[…]}]}`; `DELETE`
//! unsubscribes. Comment fields need `instagram_business_manage_comments`.

use std::collections::BTreeSet;

use axum::http::Method;
use serde_json::{Value, json};

use super::graph::{Ctx, resolve};
use crate::ids::Node;
use crate::meta_error::GraphError;
use crate::scopes;

/// The webhook fields of the Instagram API with Instagram Login.
const FIELDS: [&str; 9] = [
    "comments",
    "live_comments",
    "mentions",
    "messages",
    "message_reactions",
    "messaging_postbacks",
    "messaging_referral",
    "messaging_seen",
    "story_insights",
];
/// Fields that need the comments permission.
const COMMENT_FIELDS: [&str; 3] = ["comments", "live_comments", "mentions"];

/// `GET`, `POST` or `DELETE /{node}/subscribed_apps`.
pub(super) fn handle(ctx: &Ctx<'_>, method: &Method, node: &str) -> Result<Value, GraphError> {
    let Node::User(_) = resolve(ctx, node)? else {
        return Err(GraphError::unknown_path(&format!("{node}/subscribed_apps")));
    };
    let account = ctx.caller.account.index;
    match *method {
        Method::GET => {
            let fields = ctx.state.subscribed_fields(account);
            let data: Vec<Value> =
                if fields.is_empty() { Vec::new() } else { vec![json!({ "subscribed_fields": fields })] };
            Ok(json!({ "data": data }))
        }
        Method::POST => {
            let fields = requested(ctx)?;
            if fields.iter().any(|f| COMMENT_FIELDS.contains(&f.as_str())) {
                ctx.require(scopes::MANAGE_COMMENTS)?;
            }
            ctx.state.subscribe(account, fields);
            Ok(json!({ "success": true }))
        }
        Method::DELETE => {
            ctx.state.subscribe(account, BTreeSet::new());
            Ok(json!({ "success": true }))
        }
        _ => Err(GraphError::bad_param("(#100) Unsupported request method.")),
    }
}

/// The `subscribed_fields` parameter, checked against the known fields.
fn requested(ctx: &Ctx<'_>) -> Result<BTreeSet<String>, GraphError> {
    let raw = ctx
        .param("subscribed_fields")
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| GraphError::bad_param("(#100) The parameter subscribed_fields is required"))?;
    let mut fields = BTreeSet::new();
    for (i, field) in raw.split(',').map(str::trim).enumerate() {
        if !FIELDS.contains(&field) {
            return Err(GraphError::bad_param(format!(
                "(#100) Param subscribed_fields[{i}] must be one of {{{}}} - got \"{field}\"",
                FIELDS.join(", ")
            )));
        }
        fields.insert(field.to_owned());
    }
    Ok(fields)
}
