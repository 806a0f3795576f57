//! What happened to an account since the sandbox started: comments and replies added (through
//! the admin API or the activity knob) and posts deleted. The generated data never changes;
//! these are laid over it (see [`super::View`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Interaction;

/// How a post was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deletion {
    /// Gone everywhere: not listed, not readable.
    Gone,
    /// Deleted between listing and reading: still listed by `/me/media`, but reading it or its
    /// comments fails with 100/33.
    StillListed,
}

/// Comments and replies added to one post.
#[derive(Debug, Clone, Default)]
pub struct PostChanges {
    /// New top-level comments, oldest first, after the generated ones.
    pub comments: Vec<Interaction>,
    /// New replies by comment index, oldest first, after the generated ones.
    pub replies: BTreeMap<u32, Vec<Interaction>>,
}

/// Everything changed on one account.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    /// Added comments and replies, by post index.
    pub posts: BTreeMap<u32, PostChanges>,
    /// Deleted posts, by post index.
    pub deleted: BTreeMap<u32, Deletion>,
}
