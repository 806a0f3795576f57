//! An account as the API shows it now: the generated data with the added comments appended and
//! the deleted posts taken out. Handlers and the expected crush read accounts only through this.

use std::sync::Arc;

use super::{Account, AccountChanges, Deletion, Interaction};

/// One account's generated data plus its changes.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// The generated account.
    pub account: &'a Account,
    changes: Arc<AccountChanges>,
}

impl<'a> View<'a> {
    /// The account with its changes.
    pub fn new(account: &'a Account, changes: Arc<AccountChanges>) -> Self {
        Self { account, changes }
    }

    /// The changes laid over the generated data.
    pub fn changes(&self) -> &AccountChanges {
        &self.changes
    }

    fn gone(&self) -> impl Iterator<Item = u32> + '_ {
        self.changes.deleted.iter().filter(|(_, d)| **d == Deletion::Gone).map(|(p, _)| *p)
    }

    /// Posts `/me/media` lists.
    pub fn listed_count(&self) -> u32 {
        let total = self.account.media_count();
        total - self.gone().filter(|&p| p < total).count() as u32
    }

    /// The post index at listing position `position` (0 = newest), skipping gone posts.
    pub fn listed_post(&self, position: u32) -> Option<u32> {
        let mut post = position;
        for gone in self.gone() {
            if gone <= post {
                post += 1;
            } else {
                break;
            }
        }
        (post < self.account.media_count()).then_some(post)
    }

    /// How post `post` was deleted, if it was.
    pub fn deletion(&self, post: u32) -> Option<Deletion> {
        self.changes.deleted.get(&post).copied()
    }

    /// Whether post `post` exists and was not deleted.
    pub fn readable(&self, post: u32) -> bool {
        post < self.account.media_count() && self.deletion(post).is_none()
    }

    /// Top-level comments on a post, generated and added.
    pub fn comment_count(&self, post: u32) -> u32 {
        let added = self.changes.posts.get(&post).map_or(0, |p| p.comments.len() as u32);
        self.account.comment_count(post) + added
    }

    /// Whether comment `comment` of `post` was added (not generated).
    pub fn is_added_comment(&self, post: u32, comment: u32) -> bool {
        comment >= self.account.comment_count(post)
    }

    /// A top-level comment.
    pub fn comment(&self, post: u32, comment: u32) -> Option<Interaction> {
        let base = self.account.comment_count(post);
        if comment < base {
            return self.account.comment(post, comment);
        }
        self.changes.posts.get(&post)?.comments.get((comment - base) as usize).cloned()
    }

    /// Replies under a comment, generated and added.
    pub fn reply_count(&self, post: u32, comment: u32) -> u32 {
        self.account.reply_count(post, comment) + self.added_replies(post, comment).len() as u32
    }

    /// Whether reply `reply` under a comment was added (not generated).
    pub fn is_added_reply(&self, post: u32, comment: u32, reply: u32) -> bool {
        reply >= self.account.reply_count(post, comment)
    }

    /// A reply.
    pub fn reply(&self, post: u32, comment: u32, reply: u32) -> Option<Interaction> {
        let base = self.account.reply_count(post, comment);
        if reply < base {
            return self.account.reply(post, comment, reply);
        }
        self.added_replies(post, comment).get((reply - base) as usize).cloned()
    }

    fn added_replies(&self, post: u32, comment: u32) -> &[Interaction] {
        self.changes.posts.get(&post).and_then(|p| p.replies.get(&comment)).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;
    use crate::data::changes::PostChanges;
    use crate::data::{Author, Dataset};

    #[test]
    fn gone_posts_are_skipped_and_added_comments_follow_the_generated_ones() {
        let data = Dataset::new(&SandboxConfig::default());
        let ada = data.account_by_username("ada.demo").expect("ada exists");
        let mut changes = AccountChanges::default();
        changes.deleted.insert(0, Deletion::Gone);
        changes.deleted.insert(2, Deletion::Gone);
        changes.deleted.insert(3, Deletion::StillListed);
        let added = Interaction { author: Author::Community(1), text: "hi".into(), timestamp: 1 };
        changes.posts.insert(1, PostChanges { comments: vec![added.clone()], ..PostChanges::default() });
        let view = View::new(ada, Arc::new(changes));
        assert_eq!(view.listed_count(), ada.media_count() - 2);
        assert_eq!([0, 1, 2].map(|p| view.listed_post(p)), [Some(1), Some(3), Some(4)]);
        assert!(!view.readable(3) && view.readable(1));
        let base = ada.comment_count(1);
        assert_eq!(view.comment_count(1), base + 1);
        assert_eq!(view.comment(1, base), Some(added));
        assert!(view.is_added_comment(1, base) && !view.is_added_comment(1, 0));
    }
}
