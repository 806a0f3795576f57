//! The crush: who interacts most with an owner's recent posts, and its public,
//! shareable page.

mod compute;
mod slug;

pub use self::{
    compute::{Interactor, rank, record_crush},
    slug::{InvalidSlug, Slug},
};
