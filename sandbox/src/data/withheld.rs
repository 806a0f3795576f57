//! Strict mode's withheld authors: Meta documents `from` as a field that may be missing (its
//! `username` may still come on its own). A deterministic few generated comments and replies
//! show only `username`, or nothing at all. Never the owner's, never an added one, and never
//! those of the account's two best interactors, so each demo account keeps its designed shape.

use super::Author;
use crate::rng;

/// How much of a comment's author the API shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// `from{id,username}` and `username`.
    Full,
    /// No `from`; `username` only.
    UsernameOnly,
    /// Neither `from` nor `username`: the comment cannot be attributed.
    Nothing,
}

/// One in this many eligible interactions loses `from`; one in this many loses both.
const ONE_IN: u64 = 25;

/// What strict mode shows of the author of the generated interaction with id `id` on account
/// `account`, whose `protected` people (person indices) always show in full.
pub fn shown(seed: u64, id: u64, author: Author, account: u32, protected: &[u32]) -> Shown {
    if author == Author::Owner || protected.contains(&author.person(account)) {
        return Shown::Full;
    }
    match rng::hash(seed, &[0x517_4E1D, id]) % ONE_IN {
        0 => Shown::UsernameOnly,
        1 => Shown::Nothing,
        _ => Shown::Full,
    }
}
