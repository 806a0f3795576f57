//! The people who comment on an owner's posts, as that owner sees them. Instagram shows each
//! person under an Instagram-scoped id that differs from one account to the next, and
//! sometimes only a username, or nothing: a commenter is the owner's, keyed by that id, or by
//! username when Instagram gave no `from`; what names nobody is counted.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use time::OffsetDateTime;

use super::write::{BATCH_ROWS, columns_and_rows};
use crate::instagram::{Author, Comment, Reply};

/// Who wrote a comment or reply, as far as Instagram said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Writer<'a> {
    /// `from.id`: an Instagram-scoped id, meaningful under this owner only.
    Scoped(&'a str),
    /// No `from`, but the comment's own `username`.
    Named(&'a str),
}

impl<'a> Writer<'a> {
    /// `from` when Instagram sent it, else the comment's `username`; `None` when neither says.
    fn of(from: Option<&'a Author>, username: Option<&'a str>) -> Option<(Self, Option<&'a str>)> {
        let username = from.and_then(|f| f.username.as_deref()).or(username).filter(|u| !u.is_empty());
        match from {
            Some(from) => Some((Self::Scoped(&from.id), username)),
            None => username.map(|name| (Self::Named(name), Some(name))),
        }
    }
}

/// One comment or reply as stored.
pub(super) struct Interaction<'a> {
    pub(super) ig_id: &'a str,
    pub(super) parent: Option<&'a str>,
    pub(super) writer: Writer<'a>,
    pub(super) username: Option<&'a str>,
    pub(super) text: &'a str,
    pub(super) at: Option<OffsetDateTime>,
}

/// The post's interactions that can be attributed, and how many cannot (no `from`, no
/// `username`): those are counted, never silently dropped.
pub(super) fn interactions(comments: &[Comment]) -> (Vec<Interaction<'_>>, i64) {
    let mut all = Vec::new();
    let mut unattributed = 0;
    for comment in comments {
        let writer = Writer::of(comment.from.as_ref(), comment.username.as_deref());
        match writer {
            Some((writer, username)) => all.push(Interaction {
                ig_id: &comment.id,
                parent: None,
                writer,
                username,
                text: &comment.text,
                at: comment.timestamp,
            }),
            None => unattributed += 1,
        }
        let (replies, unattributed_replies) = reply_interactions(&comment.id, &comment.replies);
        all.extend(replies);
        unattributed += unattributed_replies;
    }
    (all, unattributed)
}

/// The interactions of `replies` to comment `parent`, and how many cannot be attributed.
pub(super) fn reply_interactions<'a>(parent: &'a str, replies: &'a [Reply]) -> (Vec<Interaction<'a>>, i64) {
    let mut all = Vec::new();
    let mut unattributed = 0;
    for reply in replies {
        match Writer::of(reply.from.as_ref(), reply.username.as_deref()) {
            Some((writer, username)) => all.push(Interaction {
                ig_id: &reply.id,
                parent: Some(parent),
                writer,
                username,
                text: &reply.text,
                at: reply.timestamp,
            }),
            None => unattributed += 1,
        }
    }
    (all, unattributed)
}

/// The row ids of the writers of `items`, as commenters of owner `owner_id`: by scoped id, or
/// for a writer known only by username, the owner's commenter of that username (one with an
/// id when there is one).
pub(super) async fn upsert<'a>(
    db: &impl ConnectionTrait,
    owner_id: i64,
    items: &[Interaction<'a>],
    now: OffsetDateTime,
) -> Result<BTreeMap<Writer<'a>, i64>, DbErr> {
    // One row per writer: PostgreSQL refuses to upsert a row twice in one statement.
    let mut scoped: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    let mut named: Vec<&str> = Vec::new();
    for item in items {
        match item.writer {
            Writer::Scoped(id) => {
                let entry = scoped.entry(id).or_insert(None);
                if item.username.is_some() {
                    *entry = item.username;
                }
            }
            Writer::Named(name) => named.push(name),
        }
    }
    let mut ids = BTreeMap::new();
    let mut by_name: BTreeMap<String, i64> = BTreeMap::new();
    let scoped: Vec<_> = scoped.into_iter().collect();
    for batch in scoped.chunks(BATCH_ROWS) {
        let rows = batch.iter().map(|(id, name)| {
            [owner_id.into(), (*id).into(), name.unwrap_or_default().into(), now.into(), now.into()]
        });
        let (insert, values) =
            columns_and_rows(["scope_id", "ig_id", "username", "created_at", "updated_at"], rows);
        // A comment without a username keeps the one we know.
        let sql = format!(
            "INSERT INTO instagram_users {insert} \
             ON CONFLICT (scope_id, ig_id) DO UPDATE SET username = CASE WHEN excluded.username = '' \
               THEN instagram_users.username ELSE excluded.username END, updated_at = excluded.updated_at \
             RETURNING id, ig_id, username"
        );
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        for row in db.query_all_raw(statement).await? {
            let (id, ig_id, username) = (
                row.try_get::<i64>("", "id")?,
                row.try_get::<String>("", "ig_id")?,
                row.try_get::<String>("", "username")?,
            );
            if let Some((key, _)) = batch.iter().find(|(key, _)| **key == ig_id) {
                ids.insert(Writer::Scoped(key), id);
            }
            by_name.insert(username, id);
        }
    }
    named.sort_unstable();
    named.dedup();
    let unknown: Vec<&str> = named.iter().copied().filter(|name| !by_name.contains_key(*name)).collect();
    by_name.extend(known_by_name(db, owner_id, &unknown).await?);
    let unknown: Vec<&str> = named.iter().copied().filter(|name| !by_name.contains_key(*name)).collect();
    for batch in unknown.chunks(BATCH_ROWS) {
        let rows = batch.iter().map(|name| {
            [owner_id.into(), Option::<String>::None.into(), (*name).into(), now.into(), now.into()]
        });
        let (insert, values) =
            columns_and_rows(["scope_id", "ig_id", "username", "created_at", "updated_at"], rows);
        let sql = format!(
            "INSERT INTO instagram_users {insert} \
             ON CONFLICT (scope_id, username) WHERE ig_id IS NULL DO UPDATE SET updated_at = excluded.updated_at \
             RETURNING id, username"
        );
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        for row in db.query_all_raw(statement).await? {
            by_name.insert(row.try_get::<String>("", "username")?, row.try_get::<i64>("", "id")?);
        }
    }
    for name in named {
        if let Some(id) = by_name.get(name) {
            ids.insert(Writer::Named(name), *id);
        }
    }
    Ok(ids)
}

/// The owner's commenters called `names` that have an id (preferred), else those known only
/// by that name.
async fn known_by_name(
    db: &impl ConnectionTrait,
    owner_id: i64,
    names: &[&str],
) -> Result<BTreeMap<String, i64>, DbErr> {
    let mut found = BTreeMap::new();
    for batch in names.chunks(BATCH_ROWS) {
        let marks: Vec<String> = (2..batch.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT id, username FROM instagram_users WHERE scope_id = $1 AND username IN ({}) \
             ORDER BY ig_id IS NULL DESC, updated_at ASC, id ASC",
            marks.join(", ")
        );
        let mut values: Vec<Value> = vec![owner_id.into()];
        values.extend(batch.iter().map(|name| Value::from(*name)));
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        // Later rows win: those with an id, the most recently seen.
        for row in db.query_all_raw(statement).await? {
            found.insert(row.try_get::<String>("", "username")?, row.try_get::<i64>("", "id")?);
        }
    }
    Ok(found)
}

/// Moves the interactions of owner `owner_id`'s commenters known only by username to the
/// commenter with an id and the same username, once a sync has seen one, and drops the
/// nameless-id rows: posts are read concurrently, so a post read early may have met the
/// person only without `from`.
pub async fn merge_named(db: &impl ConnectionTrait, owner_id: i64) -> Result<(), DbErr> {
    let twin = "SELECT MIN(s.id) FROM instagram_users s \
                WHERE s.scope_id = n.scope_id AND s.username = n.username AND s.ig_id IS NOT NULL";
    let statements = [
        format!(
            "UPDATE instagram_interactions SET author_id = \
               (SELECT ({twin}) FROM instagram_users n WHERE n.id = instagram_interactions.author_id) \
             WHERE author_id IN (SELECT n.id FROM instagram_users n \
                                 WHERE n.scope_id = $1 AND n.ig_id IS NULL AND ({twin}) IS NOT NULL)"
        ),
        format!(
            "DELETE FROM instagram_users WHERE id IN (SELECT n.id FROM instagram_users n \
                   WHERE n.scope_id = $1 AND n.ig_id IS NULL AND ({twin}) IS NOT NULL)"
        ),
    ];
    for sql in statements {
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [owner_id.into()]))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::Reply;

    fn comment(id: &str, from: Option<(&str, &str)>, username: Option<&str>, replies: Vec<Reply>) -> Comment {
        Comment {
            id: id.to_owned(),
            text: String::new(),
            timestamp: None,
            from: from.map(|(id, name)| Author { id: id.to_owned(), username: Some(name.to_owned()) }),
            username: username.map(str::to_owned),
            replies,
            replies_after: None,
        }
    }

    fn reply(id: &str, username: Option<&str>) -> Reply {
        Reply {
            id: id.to_owned(),
            text: String::new(),
            timestamp: None,
            from: None,
            username: username.map(str::to_owned),
        }
    }

    #[test]
    fn writers_come_from_from_then_username_and_the_rest_is_counted() {
        let comments = [
            comment("1", Some(("77", "mila")), None, vec![reply("2", Some("theo")), reply("3", None)]),
            comment("4", None, None, vec![]),
            comment("5", None, Some(""), vec![]),
        ];
        let (items, unattributed) = interactions(&comments);
        let writers: Vec<_> = items.iter().map(|i| (i.ig_id, i.writer, i.username)).collect();
        assert_eq!(
            writers,
            [("1", Writer::Scoped("77"), Some("mila")), ("2", Writer::Named("theo"), Some("theo")),]
        );
        assert_eq!(items[1].parent, Some("1"));
        assert_eq!(unattributed, 3, "a reply, a comment and an empty username name nobody");
    }
}
