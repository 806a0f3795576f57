//! The large benchmark account: thousands of posts and 100k+ comments, never materialised.
//! Every post, comment and reply is computed from the seed and its indices when asked for.

use super::people::{self, COMMUNITY_SIZE};
use super::{Account, Author, Content, Interaction, Post, TIMELINE_END};
use crate::ids;
use crate::rng;

/// The recipe of the large account; everything else is derived on demand.
#[derive(Debug)]
pub struct LargeContent {
    seed: u64,
    account: u32,
    posts: u32,
    comments: u64,
}

/// Builds the large account with `posts` posts and `comments` top-level comments in all.
pub fn account(seed: u64, index: u32, posts: u32, comments: u32) -> Account {
    Account {
        index,
        owner: super::owner(index, "big.demo", "Big Demo"),
        about: "the large benchmark account, generated lazily page by page",
        followers_count: 250_000,
        follows_count: 312,
        content: Content::Large(LargeContent {
            seed,
            account: index,
            posts: posts.max(1),
            comments: u64::from(comments),
        }),
    }
}

impl LargeContent {
    pub(super) fn media_count(&self) -> u32 {
        self.posts
    }

    pub(super) fn post(&self, p: u32) -> Option<Post> {
        if p >= self.posts {
            return None;
        }
        let path = [0x1A, u64::from(self.account), u64::from(p)];
        Some(Post {
            caption: format!("{} #{}", people::caption(self.seed, &path), self.posts - p),
            media_type: if p % 7 == 3 { "VIDEO" } else { "IMAGE" },
            timestamp: TIMELINE_END - i64::from(p) * 6 * 3600,
            like_count: 500 + rng::below(self.seed, &path, 5000) as u32,
        })
    }

    /// Comments before post `k`: front-loaded (newer posts get more), exactly `comments` in all.
    fn cumulative(&self, k: u32) -> u64 {
        let n = u128::from(self.posts);
        let rest = n - u128::from(k.min(self.posts));
        let total = u128::from(self.comments);
        (total - total * rest * rest / (n * n)) as u64
    }

    pub(super) fn comment_count(&self, p: u32) -> u32 {
        if p >= self.posts {
            return 0;
        }
        let count = self.cumulative(p + 1) - self.cumulative(p);
        count.min(u64::from(ids::MAX_COMMENTS)) as u32
    }

    pub(super) fn comment(&self, p: u32, c: u32) -> Option<Interaction> {
        if c >= self.comment_count(p) {
            return None;
        }
        let path = [0x1C, u64::from(self.account), u64::from(p), u64::from(c)];
        let post_time = TIMELINE_END - i64::from(p) * 6 * 3600;
        Some(Interaction {
            author: Author::Community(self.skewed_member(&path)),
            text: people::comment_text(self.seed, &path).to_owned(),
            timestamp: post_time + 60 + i64::from(c) * 30,
        })
    }

    pub(super) fn reply_count(&self, p: u32, c: u32) -> u32 {
        if c >= self.comment_count(p) {
            return 0;
        }
        let h = rng::hash(self.seed, &[0x1D, u64::from(self.account), u64::from(p), u64::from(c)]);
        if h.is_multiple_of(5) { 1 + (h >> 8) as u32 % 3 } else { 0 }
    }

    pub(super) fn reply(&self, p: u32, c: u32, r: u32) -> Option<Interaction> {
        if r >= self.reply_count(p, c) {
            return None;
        }
        let parent = self.comment(p, c)?;
        let path = [0x1E, u64::from(self.account), u64::from(p), u64::from(c), u64::from(r)];
        let author = if rng::below(self.seed, &path, 2) == 0 {
            Author::Owner
        } else {
            Author::Community(self.skewed_member(&path))
        };
        Some(Interaction {
            author,
            text: people::reply_text(self.seed, &path).to_owned(),
            timestamp: parent.timestamp + 120 * (i64::from(r) + 1),
        })
    }

    /// A community member drawn with a steep skew (a few regulars write most comments).
    fn skewed_member(&self, path: &[u64]) -> u32 {
        let x = rng::unit(self.seed, path);
        let rank = (f64::from(COMMUNITY_SIZE) * x * x * x) as u32;
        let offset =
            rng::below(self.seed, &[0x1F, u64::from(self.account)], u64::from(COMMUNITY_SIZE)) as u32;
        (rank.min(COMMUNITY_SIZE - 1) + offset) % COMMUNITY_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_add_up_exactly_and_favour_new_posts() {
        let content = LargeContent { seed: 1, account: 99, posts: 3000, comments: 120_000 };
        let total: u64 = (0..3000).map(|p| u64::from(content.comment_count(p))).sum();
        assert_eq!(total, 120_000);
        assert!(content.comment_count(0) > content.comment_count(2999));
        assert!(content.comment(3000, 0).is_none());
        assert!(content.comment(0, content.comment_count(0)).is_none());
    }
}
