//! New comments while the sandbox runs: added one by one through the admin API or at a steady
//! rate by the activity knob. They are real data (listed, counted in `comments_count` and in the
//! expected crush) and, when the account subscribed the app to `comments`, announced by webhook.

use std::sync::Weak;
use std::time::Duration;

use serde_json::{Value, json};

use crate::data::{Account, AccountChanges, Author, Interaction, View, people};
use crate::ids::{self, CommentId, MediaId, ReplyId};
use crate::rng;
use crate::state::Sandbox;
use crate::webhook::Notification;

/// Replies a thread can hold (the reply index is two digits of the id).
const MAX_REPLIES: u32 = 99;
/// How often the activity generator looks at the clock.
const TICK: Duration = Duration::from_millis(50);
/// Most comments the activity generator adds in one tick, however far behind it is.
const MOST_PER_TICK: u32 = 1000;

/// A comment to add.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// The post (index); the newest readable one when `None`.
    pub post: Option<u32>,
    /// Who writes it.
    pub author: Author,
    /// Its text; a generated one when `None`.
    pub text: Option<String>,
    /// The comment (index) it replies to, if it is a reply.
    pub parent: Option<u32>,
}

/// A comment that was added.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Added {
    /// Its id.
    pub id: String,
    /// The post's id.
    pub media_id: String,
    /// The comment it replies to.
    pub parent_id: Option<String>,
    /// Its author as the account sees them.
    pub from: Value,
    /// Its text.
    pub text: String,
    /// Whether a webhook notification was queued.
    pub notified: bool,
}

/// Adds a comment to `account`; the error says what is wrong with the request.
pub fn add_comment(state: &Sandbox, account: &Account, new: NewComment) -> Result<Added, String> {
    let post = target_post(&state.view(account), new.post)?;
    let (seed, now) = (state.data.seed, state.now_secs());
    let text = new.text.unwrap_or_else(|| {
        let path = [0xADD, now, state.next_call()];
        if new.parent.is_some() { people::reply_text(seed, &path) } else { people::comment_text(seed, &path) }
            .to_owned()
    });
    let interaction = Interaction {
        author: new.author,
        text: text.clone(),
        timestamp: i64::try_from(now).unwrap_or(i64::MAX),
    };
    let id =
        state.change(account.index, |changes| append(changes, account, post, new.parent, interaction))?;
    Ok(announce(state, account, account.media_id(post), new.parent, id, text, new.author))
}

/// The post a new comment goes to: the one asked for if it can be read, else the newest that can.
fn target_post(view: &View<'_>, post: Option<u32>) -> Result<u32, String> {
    let post = match post {
        Some(p) => p,
        None => (0..view.listed_count())
            .filter_map(|i| view.listed_post(i))
            .find(|&p| view.readable(p))
            .ok_or("the account has no post")?,
    };
    if !view.readable(post) {
        return Err(format!("post {} does not exist or was deleted", view.account.media_id(post).value()));
    }
    Ok(post)
}

/// Appends a comment (or a reply to comment `parent`) to `post`; returns its id.
fn append(
    changes: &mut AccountChanges,
    account: &Account,
    post: u32,
    parent: Option<u32>,
    interaction: Interaction,
) -> Result<u64, String> {
    let media = account.media_id(post);
    let added = changes.posts.entry(post).or_default();
    let comments = account.comment_count(post) + added.comments.len() as u32;
    match parent {
        Some(parent) if parent >= comments => {
            Err(format!("comment {parent} is not on post {}", media.value()))
        }
        Some(parent) => {
            let replies = added.replies.entry(parent).or_default();
            let reply = account.reply_count(post, parent) + replies.len() as u32;
            if reply >= MAX_REPLIES {
                return Err(format!("the thread already has {MAX_REPLIES} replies"));
            }
            replies.push(interaction);
            Ok(ReplyId { parent: CommentId { media, comment: parent }, reply }.value())
        }
        None if comments >= ids::MAX_COMMENTS => Err("the post has no room for more comments".to_owned()),
        None => {
            added.comments.push(interaction);
            Ok(CommentId { media, comment: comments }.value())
        }
    }
}

/// Builds the answer and, if the account subscribed the app to `comments`, the webhook value.
fn announce(
    state: &Sandbox,
    account: &Account,
    media: MediaId,
    parent: Option<u32>,
    id: u64,
    text: String,
    author: Author,
) -> Added {
    let person = state.data.person(account, author);
    let from_id = state.shown_id(author.person(account.index), account.index);
    let from = json!({ "id": from_id.to_string(), "username": person.username });
    let parent_id = parent.map(|comment| CommentId { media, comment }.value().to_string());
    let product_type = account.post(media.post).map_or("FEED", |p| p.product_type());
    let mut value = json!({
        "id": id.to_string(),
        "text": text,
        "from": from,
        "media": { "id": media.value().to_string(), "media_product_type": product_type },
    });
    if let (Some(parent_id), Some(obj)) = (&parent_id, value.as_object_mut()) {
        obj.insert("parent_id".into(), parent_id.clone().into());
    }
    let notified = state.subscribed_fields(account.index).iter().any(|f| f == "comments");
    if notified {
        state.outbox.enqueue(Notification {
            entry_id: account.owner.user_id.to_string(),
            field: "comments",
            value,
        });
    }
    Added { id: id.to_string(), media_id: media.value().to_string(), parent_id, from, text, notified }
}

/// Adds comments at `activity_per_minute` across the accounts subscribed to `comments`, until
/// the sandbox is dropped. Comment `k` goes to subscriber `k mod n`, on one of its three newest
/// posts, by a community member chosen by the seed and `k`; one in four replies to a comment.
pub async fn run_activity(state: Weak<Sandbox>) {
    let mut due: Option<tokio::time::Instant> = None;
    let mut k: u64 = 0;
    loop {
        tokio::time::sleep(TICK).await;
        let Some(sandbox) = state.upgrade() else {
            return;
        };
        let rate = sandbox.knobs().activity_per_minute;
        if rate <= 0.0 {
            due = None;
            continue;
        }
        let interval = Duration::from_secs_f64(60.0 / rate);
        let now = tokio::time::Instant::now();
        let next = due.get_or_insert(now + interval);
        let mut added = 0;
        while *next <= now && added < MOST_PER_TICK {
            // Numbered by comments actually added: the sequence does not depend on how long
            // the sandbox ran before anybody subscribed.
            if activity_comment(&sandbox, k) {
                k += 1;
            }
            added += 1;
            *next += interval;
        }
        if added == MOST_PER_TICK {
            *next = now + interval;
        }
    }
}

/// Activity comment number `k`; `false` when nobody is subscribed to receive it.
fn activity_comment(state: &Sandbox, k: u64) -> bool {
    let subscribers = state.subscribers("comments");
    let Some(account) =
        subscribers.get((k % subscribers.len().max(1) as u64) as usize).and_then(|&i| state.data.account(i))
    else {
        return false;
    };
    let seed = state.data.seed;
    let view = state.view(account);
    let listed = u64::from(view.listed_count());
    let Some(post) = view.listed_post(rng::below(seed, &[0xAC7, k, 1], listed.min(3)) as u32) else {
        return false;
    };
    let member = rng::below(seed, &[0xAC7, k, 2], u64::from(people::COMMUNITY_SIZE)) as u32;
    let comments = u64::from(view.comment_count(post));
    let parent = (comments > 0 && rng::below(seed, &[0xAC7, k, 3], 4) == 0)
        .then(|| rng::below(seed, &[0xAC7, k, 4], comments) as u32);
    let new = NewComment { post: Some(post), author: Author::Community(member), text: None, parent };
    if add_comment(state, account, new.clone()).is_err() && parent.is_some() {
        let _ = add_comment(state, account, NewComment { parent: None, ..new });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;

    #[test]
    fn added_comments_and_replies_get_ids_after_the_generated_ones() {
        let state = Sandbox::new(SandboxConfig::default());
        let ada = state.data.account_by_username("ada.demo").expect("ada exists");
        let base = ada.comment_count(0);
        let new =
            NewComment { post: None, author: Author::Community(3), text: Some("hello".into()), parent: None };
        let added = add_comment(&state, ada, new.clone()).expect("added");
        assert_eq!(added.id, CommentId { media: ada.media_id(0), comment: base }.value().to_string());
        assert!(!added.notified);
        let reply =
            add_comment(&state, ada, NewComment { parent: Some(base), ..new.clone() }).expect("added");
        assert_eq!(reply.parent_id.as_deref(), Some(added.id.as_str()));
        assert_eq!(state.view(ada).reply_count(0, base), 1);
        assert!(add_comment(&state, ada, NewComment { parent: Some(base + 5), ..new }).is_err());
    }
}
