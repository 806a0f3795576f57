//! The demo accounts: small, materialised at start-up, each built to show one behaviour of the
//! app (a clear crush, a tie, no comments at all, a chatty owner, a long reply thread); and, when
//! configured, extra accounts built the same way, for benchmarks that need many accounts.

mod threads;

use super::people;
use super::{Account, Content, Interaction, Person, Post, TIMELINE_END};
use crate::rng::{self, Stream};
use threads::{
    finish, interaction_counts, long_thread, owner_replies, pick_participants, place_interactions,
};

/// What a demo account is built to demonstrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// One commenter leads by a wide margin.
    Clear,
    /// The owner replies more than anyone else: counting the owner would crown the owner.
    OwnerChatty,
    /// The top two have the same number of interactions; the one on more distinct posts wins.
    Tie,
    /// Posts, but not a single comment.
    Silent,
    /// A comment with more replies than one page holds, so reply paging is exercised.
    LongThread,
}

/// The recipe of a demo account.
#[derive(Debug)]
pub struct DemoSpec {
    /// Handle.
    pub username: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Number of posts.
    pub posts: u32,
    /// What it demonstrates.
    pub plan: Plan,
    /// One line for `/_sandbox/accounts`.
    pub about: &'static str,
}

/// The demo accounts, in account-index order (from 1).
pub const DEMOS: [DemoSpec; 5] = [
    DemoSpec { username: "ada.demo", name: "Ada Demo", posts: 24, plan: Plan::Clear, about: "a clear crush" },
    DemoSpec {
        username: "ben.demo",
        name: "Ben Demo",
        posts: 18,
        plan: Plan::OwnerChatty,
        about: "the owner replies more than anyone; the owner must not be the crush",
    },
    DemoSpec {
        username: "cleo.demo",
        name: "Cleo Demo",
        posts: 20,
        plan: Plan::Tie,
        about: "a tie on interactions, broken by distinct posts",
    },
    DemoSpec {
        username: "dev.demo",
        name: "Dev Demo",
        posts: 9,
        plan: Plan::Silent,
        about: "posts but no comments at all: no crush",
    },
    DemoSpec {
        username: "eve.demo",
        name: "Eve Demo",
        posts: 30,
        plan: Plan::LongThread,
        about: "a clear crush and a 60-reply thread (reply paging)",
    },
];

/// A materialised demo account.
#[derive(Debug)]
pub struct DemoContent {
    posts: Vec<DemoPost>,
}

#[derive(Debug)]
pub(super) struct DemoPost {
    post: Post,
    comments: Vec<DemoComment>,
}

#[derive(Debug)]
pub(super) struct DemoComment {
    comment: Interaction,
    replies: Vec<Interaction>,
}

impl DemoContent {
    pub(super) fn media_count(&self) -> u32 {
        self.posts.len() as u32
    }
    pub(super) fn post(&self, p: u32) -> Option<Post> {
        self.posts.get(p as usize).map(|d| d.post.clone())
    }
    pub(super) fn comment_count(&self, p: u32) -> u32 {
        self.posts.get(p as usize).map_or(0, |d| d.comments.len() as u32)
    }
    fn thread(&self, p: u32, c: u32) -> Option<&DemoComment> {
        self.posts.get(p as usize)?.comments.get(c as usize)
    }
    pub(super) fn comment(&self, p: u32, c: u32) -> Option<Interaction> {
        self.thread(p, c).map(|t| t.comment.clone())
    }
    pub(super) fn reply_count(&self, p: u32, c: u32) -> u32 {
        self.thread(p, c).map_or(0, |t| t.replies.len() as u32)
    }
    pub(super) fn reply(&self, p: u32, c: u32, r: u32) -> Option<Interaction> {
        self.thread(p, c)?.replies.get(r as usize).cloned()
    }
}

/// Posts of each extra account.
const EXTRA_POSTS: u32 = 12;

/// Builds demo account number `index` from its recipe.
pub fn account(seed: u64, index: u32, spec: &DemoSpec) -> Account {
    let owner = super::owner(index, spec.username, spec.name);
    build(seed, index, owner, spec.about, spec.posts, spec.plan)
}

/// Builds extra account number `n` (from 1), `extraNN.demo`, as account `index`: a demo
/// account with a clear crush, one of many for load benchmarks.
pub fn extra_account(seed: u64, index: u32, n: u32) -> Account {
    let owner = super::owner(index, &format!("extra{n:02}.demo"), &format!("Extra {n:02}"));
    build(seed, index, owner, "one of the extra accounts, for load benchmarks", EXTRA_POSTS, Plan::Clear)
}

fn build(seed: u64, index: u32, owner: Person, about: &'static str, posts: u32, plan: Plan) -> Account {
    let mut rng = Stream::new(seed, &[0xDE30, u64::from(index)]);
    let mut posts: Vec<DemoPost> =
        (0..posts).map(|p| DemoPost { post: make_post(seed, index, p), comments: Vec::new() }).collect();
    if plan != Plan::Silent {
        let mut participants = pick_participants(seed, index, &mut rng, 12);
        if plan == Plan::Tie {
            // In a tie the winner is participant 1 (more distinct posts).
            participants.swap(0, 1);
        }
        let counts = interaction_counts(&mut rng, plan, participants.len());
        place_interactions(&mut rng, &mut posts, plan, &participants, &counts);
        owner_replies(&mut rng, &mut posts, plan);
        if plan == Plan::LongThread {
            long_thread(&mut posts, participants[0]);
        }
        finish(seed, index, &mut posts);
    }
    Account {
        index,
        owner,
        about,
        followers_count: 150 + rng.below(900) as u32,
        follows_count: 80 + rng.below(400) as u32,
        content: Content::Demo(DemoContent { posts }),
    }
}

fn make_post(seed: u64, account: u32, p: u32) -> Post {
    let path = [0xD05, u64::from(account), u64::from(p)];
    let kind = rng::below(seed, &path, 20);
    Post {
        caption: people::caption(seed, &path).to_owned(),
        media_type: match kind {
            0..=13 => "IMAGE",
            14..=16 => "CAROUSEL_ALBUM",
            _ => "VIDEO",
        },
        timestamp: TIMELINE_END
            - i64::from(p) * 36 * 3600
            - rng::below(seed, &[path[0], path[1], path[2], 1], 12 * 3600) as i64,
        like_count: 20 + rng::below(seed, &[path[0], path[1], path[2], 2], 400) as u32,
    }
}
