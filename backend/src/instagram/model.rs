//! What the Instagram API returns, as typed values: the profile, posts, comments with their
//! replies, and the paging envelope. Lenient where Meta is loose (ids as strings or numbers,
//! optional fields), strict where the app depends on a value.

use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;

/// The signed-in account (`GET /me`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Profile {
    /// App-scoped id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// The Instagram professional account id: the id comments show in `from.id`.
    #[serde(deserialize_with = "id_string")]
    pub user_id: String,
    /// Handle.
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// `BUSINESS` or `MEDIA_CREATOR`.
    #[serde(default)]
    pub account_type: Option<String>,
    /// Profile picture.
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    /// Followers.
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Follows.
    #[serde(default)]
    pub follows_count: Option<u64>,
    /// Posts.
    #[serde(default)]
    pub media_count: Option<u64>,
}

/// A post (`GET /me/media`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Media {
    /// Media id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Caption.
    #[serde(default)]
    pub caption: Option<String>,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    #[serde(default)]
    pub media_type: Option<String>,
    /// The picture or video.
    #[serde(default)]
    pub media_url: Option<String>,
    /// Link to the post on Instagram.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Video thumbnail.
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    /// When it was posted.
    #[serde(default, deserialize_with = "meta_time")]
    pub timestamp: Option<OffsetDateTime>,
    /// Likes.
    #[serde(default)]
    pub like_count: Option<u64>,
    /// Comments, replies included.
    #[serde(default)]
    pub comments_count: Option<u64>,
}

/// Who wrote a comment or reply (`from{id,username}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Author {
    /// Instagram user id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Handle.
    #[serde(default)]
    pub username: Option<String>,
}

/// A reply to a comment.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Reply {
    /// Comment id.
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    /// Text.
    #[serde(default)]
    pub text: String,
    /// When it was written.
    #[serde(default, deserialize_with = "meta_time")]
    pub timestamp: Option<OffsetDateTime>,
    /// Its writer, when Instagram says.
    #[serde(default)]
    pub from: Option<Author>,
    /// Its writer's username, a field of its own (sometimes there when `from` is not).
    #[serde(default)]
    pub username: Option<String>,
}

/// A top-level comment with all its replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Comment id.
    pub id: String,
    /// Text.
    pub text: String,
    /// When it was written.
    pub timestamp: Option<OffsetDateTime>,
    /// Its writer, when Instagram says.
    pub from: Option<Author>,
    /// Its writer's username, a field of its own (sometimes there when `from` is not).
    pub username: Option<String>,
    /// Every reply read so far, across reply pages.
    pub replies: Vec<Reply>,
    /// Where to read more replies when the nested page may have been incomplete: it came
    /// with an `after` cursor but no `next` link (Meta does not document `next` there).
    pub replies_after: Option<String>,
}

/// A comment as it comes off the wire, with the first page of its replies.
#[derive(Debug, Deserialize)]
pub(crate) struct RawComment {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, deserialize_with = "meta_time")]
    pub timestamp: Option<OffsetDateTime>,
    #[serde(default)]
    pub from: Option<Author>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub replies: Option<Page<Reply>>,
}

/// The paging envelope `{"data":[…],"paging":{"cursors":{…},"next":"…"}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

/// `paging`: `next` for a reader that goes to the end, and the `after` cursor for a page
/// that came without `next`.
#[derive(Debug, Deserialize)]
pub(crate) struct Paging {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub cursors: Option<Cursors>,
}

/// `paging.cursors`.
#[derive(Debug, Deserialize)]
pub(crate) struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

impl<T> Page<T> {
    pub fn next(&self) -> Option<&str> {
        self.paging.as_ref()?.next.as_deref().filter(|n| !n.is_empty())
    }

    pub fn after(&self) -> Option<&str> {
        self.paging.as_ref()?.cursors.as_ref()?.after.as_deref().filter(|a| !a.is_empty())
    }
}

/// Ids come as strings, and sometimes as numbers.
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        N(u64),
    }
    Ok(match Id::deserialize(d)? {
        Id::S(s) => s,
        Id::N(n) => n.to_string(),
    })
}

const META_FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
);

/// Parses Meta's `2017-08-31T18:10:30+0000` (and RFC 3339, to be safe).
pub fn parse_meta_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, META_FORMAT)
        .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
        .ok()
}

fn meta_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_meta_time(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meta_timestamps() {
        let t = parse_meta_time("2017-08-31T18:10:30+0000").expect("meta format");
        assert_eq!(t.unix_timestamp(), 1_504_203_030);
        assert!(parse_meta_time("2017-08-31T18:10:30Z").is_some());
        assert!(parse_meta_time("yesterday").is_none());
    }

    #[test]
    fn ids_may_be_numbers() {
        let p: Profile = serde_json::from_str(r#"{"id":1,"user_id":17841400000000001,"username":"a"}"#)
            .expect("valid profile");
        assert_eq!(p.user_id, "17841400000000001");
    }
}
