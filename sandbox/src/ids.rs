//! Instagram-looking numeric ids that encode where an object lives (account, post, comment,
//! reply), so that any object can be found, or generated, from its id alone.

const USER_BASE: u64 = 17_841_400_000_000_000;
const APP_SCOPED_BASE: u64 = 27_000_000_000_000_000;
const MEDIA_TYPE: u64 = 2_000_000_000_000_000_000;
const COMMENT_TYPE: u64 = 3_000_000_000_000_000_000;
const REPLY_TYPE: u64 = 4_000_000_000_000_000_000;
const ACCOUNT_UNIT: u64 = 10_000_000_000_000_000;
const POST_UNIT: u64 = 1_000_000_000;
const COMMENT_UNIT: u64 = 100;

/// Largest account index an id can carry.
pub const MAX_ACCOUNTS: u32 = 99;
/// Largest number of posts per account an id can carry.
pub const MAX_POSTS: u32 = 9_999_999;
/// Largest number of comments per post an id can carry.
pub const MAX_COMMENTS: u32 = 9_999_999;

/// The Instagram user id (`user_id`, as in `from.id`) of person number `index`.
pub fn user_id(index: u32) -> u64 {
    USER_BASE + u64::from(index)
}

/// The person index behind an Instagram user id.
pub fn person_index(user_id: u64) -> Option<u32> {
    user_id.checked_sub(USER_BASE).and_then(|i| u32::try_from(i).ok())
}

/// The app-scoped id (`id` on `/me`) of person number `index`.
pub fn app_scoped_id(index: u32) -> u64 {
    APP_SCOPED_BASE + u64::from(index)
}

const IGSID_BASE: u64 = 1_000_000_000_000_000;
const IGSID_SPACE: u64 = (1 << 50) - 1;
const IGSID_MULTIPLIER: u64 = 0x0001_F491_4F6C_DD1D;
const IGSID_MASK: u64 = 0x0001_5A5A_C3C3_5A5A;

/// The Instagram-scoped id (IGSID) under which person `person` appears to account `account`:
/// different under each account, never the person's `user_id`, and never a node the Graph API
/// can read. A bijection of `(account, person)`, so no two people share one.
pub fn igsid(person: u32, account: u32) -> u64 {
    let x = u64::from(account) * 10_000_000 + u64::from(person);
    // An odd multiplier is a bijection modulo 2^50, and so is the xor.
    IGSID_BASE + ((x.wrapping_mul(IGSID_MULTIPLIER) & IGSID_SPACE) ^ IGSID_MASK)
}

/// The id `from.id` carries for `person` on `account`'s media: the IGSID in strict mode, the
/// `user_id` in lenient mode.
pub fn from_id(person: u32, account: u32, strict: bool) -> u64 {
    if strict { igsid(person, account) } else { user_id(person) }
}

/// A post of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaId {
    /// Account index in the dataset.
    pub account: u32,
    /// Post index, 0 = newest.
    pub post: u32,
}

/// A top-level comment on a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentId {
    /// The post commented on.
    pub media: MediaId,
    /// Comment index on that post.
    pub comment: u32,
}

/// A reply to a top-level comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyId {
    /// The comment replied to.
    pub parent: CommentId,
    /// Reply index under that comment.
    pub reply: u32,
}

impl MediaId {
    /// The numeric id.
    pub fn value(self) -> u64 {
        MEDIA_TYPE + u64::from(self.account) * ACCOUNT_UNIT + u64::from(self.post) * POST_UNIT
    }
}

impl CommentId {
    /// The numeric id.
    pub fn value(self) -> u64 {
        COMMENT_TYPE - MEDIA_TYPE + self.media.value() + u64::from(self.comment) * COMMENT_UNIT
    }
}

impl ReplyId {
    /// The numeric id.
    pub fn value(self) -> u64 {
        REPLY_TYPE - COMMENT_TYPE + self.parent.value() + u64::from(self.reply)
    }
}

/// Any object a graph path can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A person (account owner or commenter).
    User(u32),
    /// A post.
    Media(MediaId),
    /// A top-level comment.
    Comment(CommentId),
    /// A reply.
    Reply(ReplyId),
}

/// Parses a graph node id; `None` for anything that is not one of ours.
pub fn parse(id: &str) -> Option<Node> {
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u64 = id.parse().ok()?;
    let kind = v / 1_000_000_000_000_000_000;
    let rest = v % 1_000_000_000_000_000_000;
    let account = u32::try_from(rest / ACCOUNT_UNIT).ok()?;
    let post = u32::try_from(rest % ACCOUNT_UNIT / POST_UNIT).ok()?;
    let comment = u32::try_from(rest % POST_UNIT / COMMENT_UNIT).ok()?;
    let reply = u32::try_from(rest % COMMENT_UNIT).ok()?;
    let media = MediaId { account, post };
    match kind {
        0 => person_index(v).map(Node::User),
        2 if comment == 0 && reply == 0 => Some(Node::Media(media)),
        3 if reply == 0 => Some(Node::Comment(CommentId { media, comment })),
        4 => Some(Node::Reply(ReplyId { parent: CommentId { media, comment }, reply })),
        _ => None,
    }
}

const CURSOR_MASK: u64 = 0x5EED_C0DE_D00D_F00D;

/// An opaque paging cursor for position `offset`.
pub fn cursor(offset: u32) -> String {
    format!("QVFI{:016x}", u64::from(offset) ^ CURSOR_MASK)
}

/// The position behind a cursor made by [`cursor`].
pub fn parse_cursor(cursor: &str) -> Option<u32> {
    let hex = cursor.strip_prefix("QVFI")?;
    if hex.len() != 16 {
        return None;
    }
    let v = u64::from_str_radix(hex, 16).ok()? ^ CURSOR_MASK;
    u32::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let media = MediaId { account: 7, post: 1234 };
        let comment = CommentId { media, comment: 98_765 };
        let reply = ReplyId { parent: comment, reply: 42 };
        assert_eq!(parse(&media.value().to_string()), Some(Node::Media(media)));
        assert_eq!(parse(&comment.value().to_string()), Some(Node::Comment(comment)));
        assert_eq!(parse(&reply.value().to_string()), Some(Node::Reply(reply)));
        assert_eq!(parse(&user_id(5).to_string()), Some(Node::User(5)));
        let max = ReplyId {
            parent: CommentId {
                media: MediaId { account: MAX_ACCOUNTS, post: MAX_POSTS },
                comment: MAX_COMMENTS,
            },
            reply: 99,
        };
        assert_eq!(parse(&max.value().to_string()), Some(Node::Reply(max)));
    }

    #[test]
    fn scoped_ids_differ_per_account_and_from_every_user_id() {
        let mut seen = std::collections::HashSet::new();
        for account in [1, 2, 5, MAX_ACCOUNTS] {
            for person in (1..6).chain(1000..1048) {
                let id = igsid(person, account);
                assert!(seen.insert(id), "{person} on {account}");
                assert_ne!(id, user_id(person));
                assert_eq!(parse(&id.to_string()), None);
                assert_eq!(from_id(person, account, false), user_id(person));
            }
        }
    }

    #[test]
    fn garbage_ids_are_rejected() {
        for bad in ["", "abc", "12x", "99999999999999999999999", "-1", "1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(parse_cursor(&cursor(0)), Some(0));
        assert_eq!(parse_cursor(&cursor(4321)), Some(4321));
        assert_eq!(parse_cursor("QVFIzz"), None);
        assert_eq!(parse_cursor("nope"), None);
    }
}
