//! sea-orm entities of the tables the app reads and writes through sea-orm, one file per
//! table. (The sync's bulk upserts and the crush queries use SQL directly.)

pub mod api_token;
pub mod identity;
pub mod instagram_user;
pub mod job;
pub mod oauth_state;
pub mod refresh_token;
pub mod user;
