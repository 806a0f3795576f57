//! The ground truth of who each account's crush is, computed from the data by the app's rule:
//! most comments and replies, owner excluded; ties broken by more distinct posts, then the most
//! recent interaction, then the smaller id (the id the account sees in `from.id`).
//!
//! The generated interactions are tallied once per mode, per person and post ([`tally`]); the
//! ranking ([`rank`]) then takes deleted posts out and added comments in, so it stays cheap even
//! for the large account.

use std::collections::{BTreeMap, HashMap};

use super::withheld::{self, Shown};
use super::{Account, Author, Interaction, View};
use crate::ids::{CommentId, ReplyId};

/// One person's interactions with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interactor {
    /// Person index (a community member, or the owner of another sandbox account).
    pub person: u32,
    /// Comments plus replies.
    pub interactions: u32,
    /// Distinct posts interacted with.
    pub posts: u32,
    /// Unix seconds of the most recent interaction.
    pub latest: i64,
    /// The id the account sees in `from.id` for this person.
    pub from_id: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    count: u32,
    latest: i64,
}

impl Cell {
    fn add(&mut self, timestamp: i64) {
        self.count += 1;
        self.latest = self.latest.max(timestamp);
    }
}

/// An account's generated interactions as one mode shows them: counts per person and post
/// (owner left out), and per post the interactions nobody can be credited with.
#[derive(Debug, Default)]
pub struct Tallies {
    per: HashMap<u32, BTreeMap<u32, Cell>>,
    unattributed: BTreeMap<u32, u32>,
}

/// Strict mode's withholding inputs: the seed and the people always shown.
pub type Strictness<'a> = Option<(u64, &'a [u32])>;

/// Tallies every generated interaction of `account`; streams the account, so it also works
/// (slowly) on the large one. With `strict`, interactions whose author is withheld entirely
/// count as unattributed.
pub fn tally(account: &Account, strict: Strictness<'_>) -> Tallies {
    let mut tallies = Tallies::default();
    for p in 0..account.media_count() {
        let media = account.media_id(p);
        for c in 0..account.comment_count(p) {
            let Some(comment) = account.comment(p, c) else {
                continue;
            };
            let id = CommentId { media, comment: c };
            tallies.count(account.index, p, id.value(), &comment, strict);
            for r in 0..account.reply_count(p, c) {
                if let Some(reply) = account.reply(p, c, r) {
                    tallies.count(account.index, p, ReplyId { parent: id, reply: r }.value(), &reply, strict);
                }
            }
        }
    }
    tallies
}

impl Tallies {
    fn count(&mut self, account: u32, post: u32, id: u64, i: &Interaction, strict: Strictness<'_>) {
        if let Some((seed, protected)) = strict
            && withheld::shown(seed, id, i.author, account, protected) == Shown::Nothing
        {
            *self.unattributed.entry(post).or_default() += 1;
            return;
        }
        if i.author != Author::Owner {
            self.per.entry(i.author.person(account)).or_default().entry(post).or_default().add(i.timestamp);
        }
    }
}

/// An account's interactors, best first, and how many interactions nobody can be credited with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    /// Everyone but the owner who interacted, best first.
    pub interactors: Vec<Interactor>,
    /// Interactions whose author is withheld entirely.
    pub unattributed: u32,
}

/// Ranks `view`'s interactors: the generated ones of `base` on posts still there, plus the added
/// comments; `from_id` gives the id each person shows to the account.
pub fn rank(base: &Tallies, view: &View<'_>, from_id: impl Fn(u32) -> u64) -> Ranking {
    let changes = view.changes();
    let alive = |post: &u32| !changes.deleted.contains_key(post);
    let mut per: HashMap<u32, BTreeMap<u32, Cell>> = base
        .per
        .iter()
        .map(|(person, posts)| {
            (*person, posts.iter().filter(|(p, _)| alive(p)).map(|(p, c)| (*p, *c)).collect())
        })
        .collect();
    for (post, added) in changes.posts.iter().filter(|(p, _)| alive(p)) {
        for i in added.comments.iter().chain(added.replies.values().flatten()) {
            if i.author != Author::Owner {
                let person = i.author.person(view.account.index);
                per.entry(person).or_default().entry(*post).or_default().add(i.timestamp);
            }
        }
    }
    let mut interactors: Vec<Interactor> = per
        .into_iter()
        .filter(|(_, posts)| !posts.is_empty())
        .map(|(person, posts)| Interactor {
            person,
            interactions: posts.values().map(|c| c.count).sum(),
            posts: posts.len() as u32,
            latest: posts.values().map(|c| c.latest).max().unwrap_or_default(),
            from_id: from_id(person),
        })
        .collect();
    interactors.sort_by(|a, b| {
        b.interactions
            .cmp(&a.interactions)
            .then(b.posts.cmp(&a.posts))
            .then(b.latest.cmp(&a.latest))
            .then(a.from_id.cmp(&b.from_id))
    });
    let unattributed = base.unattributed.iter().filter(|(p, _)| alive(p)).map(|(_, n)| n).sum();
    Ranking { interactors, unattributed }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::SandboxConfig;
    use crate::data::changes::PostChanges;
    use crate::data::people::COMMUNITY_BASE;
    use crate::data::{AccountChanges, Dataset, Deletion};
    use crate::ids;

    fn ranked(data: &Dataset, username: &str) -> Vec<Interactor> {
        let account = data.account_by_username(username).expect("demo account exists");
        rank(&tally(account, None), &View::new(account, Arc::default()), ids::user_id).interactors
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
                .map(|u| ranked(&data, u)[0].person)
                .collect();
            assert_eq!(crushes.len(), 4, "seed {seed}: demo accounts share a crush");
            assert!(crushes.iter().all(|&p| p >= COMMUNITY_BASE));
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
        assert!(owner > ranked(&data, "ben.demo")[0].interactions);
    }

    #[test]
    fn strict_withholding_spares_the_top_two_and_leaves_some_comments_unattributed() {
        let data = Dataset::new(&SandboxConfig::default());
        let mut unattributed = 0;
        for username in ["ada.demo", "ben.demo", "cleo.demo", "eve.demo"] {
            let account = data.account_by_username(username).expect("demo account exists");
            let lenient = ranked(&data, username);
            let protected: Vec<u32> = lenient.iter().take(2).map(|i| i.person).collect();
            let strict = rank(
                &tally(account, Some((42, &protected))),
                &View::new(account, Arc::default()),
                ids::user_id,
            );
            assert_eq!(strict.interactors[..2], lenient[..2], "{username}");
            let lost: u32 = lenient.iter().map(|i| i.interactions).sum::<u32>()
                - strict.interactors.iter().map(|i| i.interactions).sum::<u32>();
            assert_eq!(lost, strict.unattributed, "{username}");
            unattributed += strict.unattributed;
        }
        assert!(unattributed > 0);
    }

    #[test]
    fn added_comments_count_and_deleted_posts_do_not() {
        let data = Dataset::new(&SandboxConfig::default());
        let ada = data.account_by_username("ada.demo").expect("ada exists");
        let before = ranked(&data, "ada.demo");
        let runner_up = Author::Community(before[1].person - COMMUNITY_BASE);
        let comment = Interaction { author: runner_up, text: "again".into(), timestamp: 9 };
        let mut changes = AccountChanges::default();
        changes.posts.insert(0, PostChanges { comments: vec![comment; 40], ..PostChanges::default() });
        let base = tally(ada, None);
        let after = rank(&base, &View::new(ada, Arc::new(changes.clone())), ids::user_id);
        assert_eq!(after.interactors[0].person, before[1].person);
        changes.deleted.insert(0, Deletion::StillListed);
        let deleted = rank(&base, &View::new(ada, Arc::new(changes)), ids::user_id);
        let total = |r: &[Interactor]| r.iter().map(|i| i.interactions).sum::<u32>();
        assert!(total(&deleted.interactors) < total(&before));
    }
}
