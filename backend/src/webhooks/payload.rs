//! The body Meta posts: `{"object":"instagram","entry":[{"id","time","changes":[{"field",
//! "value"}]}]}`, where a `comments` change's value is the comment: `id`, `text`,
//! `from{id,username}`, `media{id}` and, for a reply, `parent_id`. Fields we do not use are
//! ignored; changes of other fields are skipped.

use serde::Deserialize;
use time::OffsetDateTime;

/// A notification body.
#[derive(Debug, Deserialize)]
struct Notification {
    #[serde(default)]
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    /// The account's Instagram id (`user_id`), whose post was commented on.
    #[serde(deserialize_with = "id_string")]
    id: String,
    /// When the change happened (Unix seconds).
    #[serde(default)]
    time: Option<i64>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
struct Change {
    field: String,
    #[serde(default)]
    value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct CommentValue {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    media: Option<MediaRef>,
    #[serde(default, deserialize_with = "optional_id_string")]
    parent_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct From {
    #[serde(deserialize_with = "id_string")]
    id: String,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MediaRef {
    #[serde(deserialize_with = "id_string")]
    id: String,
}

/// One new comment or reply, as a webhook announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEvent {
    /// The account whose post it is on (its Instagram id).
    pub account: String,
    /// The comment's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its author's id as the account sees it, and username; `None` when Instagram withheld it.
    pub author: Option<(String, Option<String>)>,
    /// The post's id.
    pub media_id: Option<String>,
    /// The comment it answers, for a reply.
    pub parent_id: Option<String>,
    /// When it was made.
    pub at: Option<OffsetDateTime>,
}

/// The body is not a notification.
#[derive(Debug, thiserror::Error)]
#[error("the body is not an Instagram webhook notification: {0}")]
pub struct MalformedPayload(String);

/// The comment events of a notification body, in order. Changes of other fields and
/// objects other than `instagram` are skipped; a `comments` change that is not a comment
/// makes the whole body malformed (nothing of it is applied).
pub fn comment_events(body: &[u8]) -> Result<Vec<CommentEvent>, MalformedPayload> {
    let notification: Notification =
        serde_json::from_slice(body).map_err(|err| MalformedPayload(err.to_string()))?;
    if notification.object != "instagram" {
        return Ok(Vec::new());
    }
    let mut events = Vec::new();
    for entry in notification.entry {
        let at = entry.time.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
        for change in entry.changes.into_iter().filter(|change| change.field == "comments") {
            let value: CommentValue =
                serde_json::from_value(change.value).map_err(|err| MalformedPayload(err.to_string()))?;
            events.push(CommentEvent {
                account: entry.id.clone(),
                id: value.id,
                text: value.text,
                author: value.from.map(|from| (from.id, from.username)),
                media_id: value.media.map(|media| media.id),
                parent_id: value.parent_id,
                at,
            });
        }
    }
    Ok(events)
}

/// Meta sends ids as strings; accept numbers too.
fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) if !s.is_empty() => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("expected an id, got {other}"))),
    }
}

fn optional_id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) if s.is_empty() => Ok(None),
        other => id_string(other).map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_batch_gives_its_comment_events_in_order() {
        let body = json!({
            "object": "instagram",
            "entry": [
                {"id": "17841400000000001", "time": 1_764_700_000, "changes": [
                    {"field": "comments", "value": {"id": "1801", "text": "hi",
                        "from": {"id": "9001", "username": "mila.rivers"},
                        "media": {"id": "1790", "media_product_type": "FEED"}}},
                    {"field": "mentions", "value": {"media_id": "1"}},
                    {"field": "comments", "value": {"id": 1802, "text": "re", "from": {"id": "9002"},
                        "media": {"id": "1790"}, "parent_id": "1801"}}
                ]},
                {"id": "17841400000000002", "changes": [
                    {"field": "comments", "value": {"id": "1803", "media": {"id": "1791"}}}
                ]}
            ]
        });
        let events = comment_events(body.to_string().as_bytes()).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].author, Some(("9001".into(), Some("mila.rivers".into()))));
        assert_eq!(events[0].at.map(OffsetDateTime::unix_timestamp), Some(1_764_700_000));
        assert_eq!(events[1].id, "1802");
        assert_eq!(events[1].parent_id.as_deref(), Some("1801"));
        assert_eq!(events[2].account, "17841400000000002");
        assert_eq!(events[2].author, None);
        assert_eq!(events[2].at, None);
    }

    #[test]
    fn other_objects_are_skipped_and_garbage_is_refused() {
        let page = json!({"object": "page", "entry": [{"id": "1", "changes": [{"field": "comments", "value": {}}]}]});
        assert!(comment_events(page.to_string().as_bytes()).unwrap().is_empty());
        assert!(comment_events(b"not json").is_err());
        let no_id = json!({"object": "instagram", "entry": [{"id": "1", "changes": [{"field": "comments", "value": {"text": "x"}}]}]});
        assert!(comment_events(no_id.to_string().as_bytes()).is_err());
    }
}
