//! Insights into my recent posts: top interactors, top posts, and one
//! interactor's comments (the original's "Top users" and "Top posts").

use axum::extract::State;

use super::problems::{BadPaging, NoAccount, NotSignedIn, OtherProblem};
use super::{
    AppState, CurrentUser,
    error::{ApiError, Problem},
    extract::{Json, Path, Query},
};
use crate::crush::{self, InteractorComments, InteractorSummary, Page, PageRequest, TopPost};

async fn owner_id(state: &AppState, user: CurrentUser) -> Result<i64, ApiError> {
    Ok(crush::owner_account(&state.db, user.id).await?.ok_or_else(ApiError::no_account)?.id)
}

/// Who comments most on my recent posts, best first (my crush first).
///
/// A page at a time: `limit` 1 to 100 (20 by default) after `offset`; `total` counts the whole
/// list. Paging outside those bounds is refused with `400` (`invalid_query`).
#[utoipa::path(
    get,
    path = "/api/users/me/top-interactors",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of interactors", body = Page<InteractorSummary>),
        BadPaging,
        NotSignedIn,
        NoAccount,
        OtherProblem,
    )
)]
pub async fn list_top_interactors(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(page): Query<PageRequest>,
) -> Result<Json<Page<InteractorSummary>>, ApiError> {
    let owner = owner_id(&state, user).await?;
    Ok(Json(crush::top_interactors(&state.db, owner, state.sync.window_posts, page).await?))
}

/// My recent posts, most commented first.
///
/// A page at a time: `limit` 1 to 100 (20 by default) after `offset`; `total` counts the whole
/// list. Paging outside those bounds is refused with `400` (`invalid_query`).
#[utoipa::path(
    get,
    path = "/api/users/me/top-posts",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    params(PageRequest),
    responses(
        (status = 200, description = "A page of posts", body = Page<TopPost>),
        BadPaging,
        NotSignedIn,
        NoAccount,
        OtherProblem,
    )
)]
pub async fn list_top_posts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(page): Query<PageRequest>,
) -> Result<Json<Page<TopPost>>, ApiError> {
    let owner = owner_id(&state, user).await?;
    Ok(Json(crush::top_posts(&state.db, owner, state.sync.window_posts, page).await?))
}

/// One account's comments and replies on my posts, newest first.
///
/// The account (`interactor`) comes first, then a page of its comments: `limit` 1 to 100 (20 by
/// default) after `offset`. Paging outside those bounds is refused with `400` (`invalid_query`);
/// an account that never commented on my posts is `404`.
#[utoipa::path(
    get,
    path = "/api/users/me/interactors/{ig_id}/comments",
    tag = "crush",
    security(("bearer" = []), ("session_cookie" = [])),
    params(("ig_id" = String, Path, description = "The id Instagram shows for the account under your posts"), PageRequest),
    responses(
        (status = 200, description = "The account and a page of its comments", body = InteractorComments),
        BadPaging,
        NotSignedIn,
        (status = 404, description = "That account never commented on my posts", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn list_interactor_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ig_id): Path<String>,
    Query(page): Query<PageRequest>,
) -> Result<Json<InteractorComments>, ApiError> {
    let owner = owner_id(&state, user).await?;
    let comments = crush::interactor_comments(&state.db, owner, &ig_id, page).await?;
    let never = || ApiError::NotFound(format!("account {ig_id} never commented on your posts"));
    Ok(Json(comments.ok_or_else(never)?))
}
