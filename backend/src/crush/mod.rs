//! The crush: who interacts most with an owner's recent posts, and its public,
//! shareable page.

mod compute;
mod insights;
mod page;
mod read;
mod slug;

pub use self::{
    compute::{Interactor, rank, record_crush},
    insights::{
        CommentedPost, InteractorAccount, InteractorComment, InteractorComments, InteractorSummary, TopPost,
        interactor_comments, top_interactors, top_posts,
    },
    page::{Limit, Offset, Page, PageRequest, PagingError},
    read::{CrushView, OwnerAccount, by_slug, current, owner_account},
    slug::{InvalidSlug, Slug},
};
