//! How a demo account's comments are laid out: who takes part, how many interactions each
//! makes (a skewed distribution with a designed top), where they land, the owner's replies,
//! and finally texts and times.

use super::{DemoComment, DemoPost, Plan};
use crate::data::people::{self, COMMUNITY_SIZE};
use crate::data::{Author, Interaction};
use crate::rng::{self, Stream};

/// A seeded sample of `k` community members, in crush-first order. The crush comes from one
/// seed-wide shuffle, so no two demo accounts share a crush.
pub(super) fn pick_participants(seed: u64, index: u32, rng: &mut Stream, k: usize) -> Vec<u32> {
    let crushes = shuffled((0..COMMUNITY_SIZE).collect(), &mut Stream::new(seed, &[0xC5]));
    let crush = crushes[(index as usize).saturating_sub(1) % crushes.len()];
    let others = (0..COMMUNITY_SIZE).filter(|&m| m != crush).collect();
    let mut picked = vec![crush];
    picked.extend(shuffled(others, rng).into_iter().take(k.saturating_sub(1)));
    picked
}

fn shuffled(mut items: Vec<u32>, rng: &mut Stream) -> Vec<u32> {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
    items
}

/// Interactions per participant: a skewed (Zipf-like) distribution with a designed top.
pub(super) fn interaction_counts(rng: &mut Stream, plan: Plan, k: usize) -> Vec<u32> {
    let mut counts: Vec<u32> = (0..k).map(|j| 30u32.div_ceil(j as u32 + 1)).collect();
    for c in counts.iter_mut().skip(2) {
        *c += rng.below(3) as u32;
    }
    let second = counts.get(1).copied().unwrap_or(0);
    for c in counts.iter_mut().skip(2) {
        *c = (*c).min(second.saturating_sub(2));
    }
    if plan == Plan::Tie && k >= 2 {
        counts[0] = 18;
        counts[1] = 18;
        for c in counts.iter_mut().skip(2) {
            *c = (*c).min(12);
        }
    }
    counts
}

/// Spreads each participant's interactions over posts, as comments first, then replies.
pub(super) fn place_interactions(
    rng: &mut Stream,
    posts: &mut [DemoPost],
    plan: Plan,
    participants: &[u32],
    counts: &[u32],
) {
    let n = posts.len() as u64;
    let mut replies: Vec<(usize, Author)> = Vec::new();
    for (j, (&who, &count)) in participants.iter().zip(counts).enumerate() {
        for unit in 0..count {
            let post = match (plan, j) {
                // The tie: participant 0 stays on three posts, participant 1 spreads out.
                (Plan::Tie, 0) => rng.below(3.min(n)) as usize,
                (Plan::Tie, 1) => (unit as u64 % n) as usize,
                _ => rng.below(n) as usize,
            };
            let author = Author::Community(who);
            if rng.below(100) < 35 && !(plan == Plan::Tie && j <= 1) {
                replies.push((post, author));
            } else {
                posts[post].comments.push(DemoComment { comment: blank(author), replies: Vec::new() });
            }
        }
    }
    for (post, author) in replies {
        let comments = &mut posts[post].comments;
        if comments.is_empty() {
            comments.push(DemoComment { comment: blank(author), replies: Vec::new() });
        } else {
            let c = rng.below(comments.len() as u64) as usize;
            comments[c].replies.push(blank(author));
        }
    }
}

/// The owner answers some comments (and, in `OwnerChatty`, most of them).
pub(super) fn owner_replies(rng: &mut Stream, posts: &mut [DemoPost], plan: Plan) {
    let chance = if plan == Plan::OwnerChatty { 100 } else { 20 };
    for post in posts.iter_mut() {
        for thread in post.comments.iter_mut() {
            if rng.below(100) < chance {
                thread.replies.push(blank(Author::Owner));
            }
        }
    }
    if plan == Plan::OwnerChatty
        && let Some(first) = posts.first_mut()
    {
        for _ in 0..25 {
            first.comments.push(DemoComment { comment: blank(Author::Owner), replies: Vec::new() });
        }
    }
}

/// A 60-reply back-and-forth between the crush and the owner under one comment on the newest post.
pub(super) fn long_thread(posts: &mut [DemoPost], crush: u32) {
    let Some(first) = posts.first_mut() else {
        return;
    };
    let replies =
        (0..60).map(|i| blank(if i % 2 == 0 { Author::Community(crush) } else { Author::Owner })).collect();
    first.comments.push(DemoComment { comment: blank(Author::Community(crush)), replies });
}

fn blank(author: Author) -> Interaction {
    Interaction { author, text: String::new(), timestamp: 0 }
}

/// Gives every comment and reply its text and time, then orders threads oldest first.
pub(super) fn finish(seed: u64, account: u32, posts: &mut [DemoPost]) {
    for (p, post) in posts.iter_mut().enumerate() {
        let base = post.post.timestamp;
        for (c, thread) in post.comments.iter_mut().enumerate() {
            let path = [0xC0, u64::from(account), p as u64, c as u64];
            thread.comment.timestamp = base + 60 + rng::below(seed, &path, 72 * 3600) as i64;
            thread.comment.text = people::comment_text(seed, &path).to_owned();
            for (r, reply) in thread.replies.iter_mut().enumerate() {
                let path = [0xE0, u64::from(account), p as u64, c as u64, r as u64];
                reply.timestamp =
                    thread.comment.timestamp + 60 * (r as i64 + 1) + rng::below(seed, &path, 50) as i64;
                reply.text = people::reply_text(seed, &path).to_owned();
            }
        }
        post.comments.sort_by_key(|t| t.comment.timestamp);
    }
}
