//! sea-orm entities, one file per table.

pub mod api_token;
pub mod crush;
pub mod identity;
pub mod instagram_interaction;
pub mod instagram_media;
pub mod instagram_user;
pub mod job;
pub mod oauth_state;
pub mod refresh_token;
pub mod user;
