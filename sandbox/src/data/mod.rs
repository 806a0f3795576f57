//! The synthetic Instagram: demo accounts (small, materialised, each with a designed crush),
//! optional extra accounts like them, and an optional large account (generated lazily, item by
//! item, from the seed).
//! Everything is a pure function of the seed: same seed, same data.

mod changes;
mod demo;
mod large;
pub mod people;
mod ranking;
mod view;
pub mod withheld;

pub use changes::{AccountChanges, Deletion};
pub use ranking::{Interactor, Ranking, Tallies, rank, tally};
pub use view::View;

use crate::config::SandboxConfig;
use crate::ids::{self, MediaId};

/// Unix time (seconds) that the synthetic timeline ends at: fixed, so data never drifts.
pub const TIMELINE_END: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Someone who owns posts or writes comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Person index (owners: account index; community: from `people::COMMUNITY_BASE`).
    pub index: u32,
    /// Instagram user id (`user_id`, `from.id`).
    pub user_id: u64,
    /// Handle.
    pub username: String,
    /// Display name.
    pub name: String,
}

/// Who wrote a comment or reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Author {
    /// The account owner (the app must not count them as their own crush).
    Owner,
    /// Community member number `n` (0-based).
    Community(u32),
    /// The owner of another sandbox account (by account index), commenting as a visitor.
    Guest(u32),
}

impl Author {
    /// The person index of the author of a comment on account `account`.
    pub fn person(self, account: u32) -> u32 {
        match self {
            Self::Owner => account,
            Self::Community(n) => people::COMMUNITY_BASE + n,
            Self::Guest(index) => index,
        }
    }
}

/// A post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// Caption text.
    pub caption: String,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: &'static str,
    /// Unix seconds.
    pub timestamp: i64,
    /// Likes (not attributable to anyone).
    pub like_count: u32,
}

impl Post {
    /// `media_product_type`: videos are reels, everything else is feed.
    pub fn product_type(&self) -> &'static str {
        if self.media_type == "VIDEO" { "REELS" } else { "FEED" }
    }
}

/// A comment or a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// Its writer.
    pub author: Author,
    /// Its text.
    pub text: String,
    /// Unix seconds.
    pub timestamp: i64,
}

/// What an account holds.
#[derive(Debug)]
enum Content {
    Demo(demo::DemoContent),
    Large(large::LargeContent),
}

/// One account that can sign in to the sandbox.
#[derive(Debug)]
pub struct Account {
    /// Account index, part of every id it owns.
    pub index: u32,
    /// The owner.
    pub owner: Person,
    /// One line on what this account demonstrates.
    pub about: &'static str,
    /// Followers.
    pub followers_count: u32,
    /// Follows.
    pub follows_count: u32,
    content: Content,
}

impl Account {
    /// Whether this is the opt-in large benchmark account.
    pub fn is_large(&self) -> bool {
        matches!(self.content, Content::Large(_))
    }

    /// Number of posts.
    pub fn media_count(&self) -> u32 {
        match &self.content {
            Content::Demo(d) => d.media_count(),
            Content::Large(l) => l.media_count(),
        }
    }

    /// Post `post` (0 = newest).
    pub fn post(&self, post: u32) -> Option<Post> {
        match &self.content {
            Content::Demo(d) => d.post(post),
            Content::Large(l) => l.post(post),
        }
    }

    /// Number of top-level comments on a post.
    pub fn comment_count(&self, post: u32) -> u32 {
        match &self.content {
            Content::Demo(d) => d.comment_count(post),
            Content::Large(l) => l.comment_count(post),
        }
    }

    /// A top-level comment.
    pub fn comment(&self, post: u32, comment: u32) -> Option<Interaction> {
        match &self.content {
            Content::Demo(d) => d.comment(post, comment),
            Content::Large(l) => l.comment(post, comment),
        }
    }

    /// Number of replies under a comment.
    pub fn reply_count(&self, post: u32, comment: u32) -> u32 {
        match &self.content {
            Content::Demo(d) => d.reply_count(post, comment),
            Content::Large(l) => l.reply_count(post, comment),
        }
    }

    /// A reply.
    pub fn reply(&self, post: u32, comment: u32, reply: u32) -> Option<Interaction> {
        match &self.content {
            Content::Demo(d) => d.reply(post, comment, reply),
            Content::Large(l) => l.reply(post, comment, reply),
        }
    }

    /// The media id of post `post`.
    pub fn media_id(&self, post: u32) -> MediaId {
        MediaId { account: self.index, post }
    }
}

/// All accounts of one seed.
#[derive(Debug)]
pub struct Dataset {
    /// The seed everything derives from.
    pub seed: u64,
    /// The accounts that can sign in, demo accounts first.
    pub accounts: Vec<Account>,
}

/// Account index of the large benchmark account.
pub const LARGE_ACCOUNT_INDEX: u32 = ids::MAX_ACCOUNTS;

impl Dataset {
    /// Builds the dataset that `config` describes.
    pub fn new(config: &SandboxConfig) -> Self {
        let seed = config.seed;
        let mut accounts: Vec<Account> =
            demo::DEMOS.iter().enumerate().map(|(i, spec)| demo::account(seed, i as u32 + 1, spec)).collect();
        let first_extra = accounts.len() as u32 + 1;
        let extras = config.extra_accounts.min(LARGE_ACCOUNT_INDEX - first_extra);
        accounts.extend((1..=extras).map(|n| demo::extra_account(seed, first_extra + n - 1, n)));
        if config.large_account_posts > 0 {
            accounts.push(large::account(
                seed,
                LARGE_ACCOUNT_INDEX,
                config.large_account_posts.min(ids::MAX_POSTS),
                config.large_account_comments,
            ));
        }
        Self { seed, accounts }
    }

    /// The account with this index.
    pub fn account(&self, index: u32) -> Option<&Account> {
        self.accounts.iter().find(|a| a.index == index)
    }

    /// The account with this username.
    pub fn account_by_username(&self, username: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.owner.username == username)
    }

    /// Resolves an author on `account` to a person.
    pub fn person(&self, account: &Account, author: Author) -> Person {
        match author {
            Author::Owner => account.owner.clone(),
            Author::Community(n) => people::community_member(n),
            Author::Guest(index) => {
                self.account(index).map_or_else(|| account.owner.clone(), |a| a.owner.clone())
            }
        }
    }

    /// Any person by person index.
    pub fn person_by_index(&self, index: u32) -> Option<Person> {
        if let Some(account) = self.account(index) {
            return Some(account.owner.clone());
        }
        let member = index.checked_sub(people::COMMUNITY_BASE).filter(|&n| n < people::COMMUNITY_SIZE)?;
        Some(people::community_member(member))
    }

    /// Any person by username.
    pub fn person_by_username(&self, username: &str) -> Option<Person> {
        if let Some(account) = self.account_by_username(username) {
            return Some(account.owner.clone());
        }
        (0..people::COMMUNITY_SIZE).map(people::community_member).find(|p| p.username == username)
    }

    /// The author a person is on `account`'s media: its owner, a community member, or a guest.
    pub fn author_on(&self, account: &Account, username: &str) -> Option<Author> {
        if username == account.owner.username {
            return Some(Author::Owner);
        }
        if let Some(other) = self.account_by_username(username) {
            return Some(Author::Guest(other.index));
        }
        (0..people::COMMUNITY_SIZE)
            .find(|&n| people::community_member(n).username == username)
            .map(Author::Community)
    }
}

/// Builds an owner person for account `index`.
fn owner(index: u32, username: &str, name: &str) -> Person {
    Person { index, user_id: ids::user_id(index), username: username.to_owned(), name: name.to_owned() }
}

/// The demo usernames, in account order.
pub fn demo_usernames() -> Vec<&'static str> {
    demo::DEMOS.iter().map(|d| d.username).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_accounts_follow_the_demo_accounts_and_leave_the_large_ones_index_free() {
        let config =
            SandboxConfig { extra_accounts: 500, large_account_posts: 10, ..SandboxConfig::default() };
        let data = Dataset::new(&config);
        let extra = data.account_by_username("extra01.demo").expect("the first extra account");
        assert_eq!(extra.index, demo::DEMOS.len() as u32 + 1);
        assert_eq!(extra.media_count(), 12);
        assert!((0..12).any(|p| extra.comment_count(p) > 0), "it has comments");
        let last = data.accounts.iter().filter(|a| !a.is_large()).map(|a| a.index).max();
        assert_eq!(last, Some(LARGE_ACCOUNT_INDEX - 1), "as many as ids allow, the large one kept");
        assert!(data.account_by_username("big.demo").is_some_and(Account::is_large));
        assert_eq!(Dataset::new(&SandboxConfig::default()).accounts.len(), demo::DEMOS.len());
    }
}
