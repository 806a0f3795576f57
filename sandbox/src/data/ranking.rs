//! The ground truth of who each account's crush is, computed from the data by the app's rule:
//! most comments and replies, owner excluded; ties broken by more distinct posts, then the most
//! recent interaction, then the smaller user id.

use std::collections::HashMap;

use super::{Account, Author};
use crate::ids;

/// One community member's interactions with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interactor {
    /// Community member number.
    pub member: u32,
    /// Comments plus replies.
    pub interactions: u32,
    /// Distinct posts interacted with.
    pub posts: u32,
    /// Unix seconds of the most recent interaction.
    pub latest: i64,
}

impl Interactor {
    /// The member's Instagram user id.
    pub fn user_id(&self) -> u64 {
        ids::user_id(super::people::COMMUNITY_BASE + self.member)
    }
}

#[derive(Default)]
struct Tally {
    interactions: u32,
    posts: u32,
    last_post: Option<u32>,
    latest: i64,
}

/// Every interactor of `account`, best first; streams the account, so it also works (slowly) on
/// the large one.
pub fn rank(account: &Account) -> Vec<Interactor> {
    let mut tallies: HashMap<u32, Tally> = HashMap::new();
    let mut count = |member: u32, post: u32, timestamp: i64| {
        let t = tallies.entry(member).or_default();
        t.interactions += 1;
        if t.last_post != Some(post) {
            t.posts += 1;
            t.last_post = Some(post);
        }
        t.latest = t.latest.max(timestamp);
    };
    for p in 0..account.media_count() {
        for c in 0..account.comment_count(p) {
            let Some(comment) = account.comment(p, c) else {
                continue;
            };
            if let Author::Community(m) = comment.author {
                count(m, p, comment.timestamp);
            }
            for r in 0..account.reply_count(p, c) {
                if let Some(reply) = account.reply(p, c, r)
                    && let Author::Community(m) = reply.author
                {
                    count(m, p, reply.timestamp);
                }
            }
        }
    }
    let mut ranked: Vec<Interactor> = tallies
        .into_iter()
        .map(|(member, t)| Interactor {
            member,
            interactions: t.interactions,
            posts: t.posts,
            latest: t.latest,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.interactions
            .cmp(&a.interactions)
            .then(b.posts.cmp(&a.posts))
            .then(b.latest.cmp(&a.latest))
            .then(a.user_id().cmp(&b.user_id()))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxConfig;
    use crate::data::Dataset;

    fn ranked(data: &Dataset, username: &str) -> Vec<Interactor> {
        let account = data.account_by_username(username).expect("demo account exists");
        rank(account)
    }

    #[test]
    fn every_seed_gives_the_designed_shape() {
        for seed in [0, 1, 42, 7_777, u64::MAX] {
            let data = Dataset::new(&SandboxConfig { seed, ..SandboxConfig::default() });
            for clear in ["ada.demo", "ben.demo", "eve.demo"] {
                let r = ranked(&data, clear);
                assert!(r[0].interactions > r[1].interactions, "{clear} seed {seed}: {r:?}");
            }
            let tie = ranked(&data, "cleo.demo");
            assert_eq!(tie[0].interactions, tie[1].interactions, "seed {seed}");
            assert!(tie[0].posts > tie[1].posts, "seed {seed}");
            assert!(ranked(&data, "dev.demo").is_empty());
            let crushes: std::collections::HashSet<u32> = ["ada.demo", "ben.demo", "cleo.demo", "eve.demo"]
                .iter()
                .map(|u| ranked(&data, u)[0].member)
                .collect();
            assert_eq!(crushes.len(), 4, "seed {seed}: demo accounts share a crush");
        }
    }

    #[test]
    fn the_owner_out_talks_bens_crush() {
        let data = Dataset::new(&SandboxConfig::default());
        let ben = data.account_by_username("ben.demo").expect("ben exists");
        let mut owner = 0;
        for p in 0..ben.media_count() {
            for c in 0..ben.comment_count(p) {
                owner += u32::from(ben.comment(p, c).is_some_and(|i| i.author == Author::Owner));
                owner += (0..ben.reply_count(p, c))
                    .filter(|&r| ben.reply(p, c, r).is_some_and(|i| i.author == Author::Owner))
                    .count() as u32;
            }
        }
        assert!(owner > rank(ben)[0].interactions);
    }
}
