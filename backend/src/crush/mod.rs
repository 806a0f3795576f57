//! The crush: who interacts most with an owner's recent posts, and its public,
//! shareable page.

mod compute;
mod read;
mod slug;

pub use self::{
    compute::{Interactor, rank, record_crush},
    read::{CrushView, OwnerAccount, by_slug, current, owner_account},
    slug::{InvalidSlug, Slug},
};
