//! sea-orm entities, one file per table.

pub mod crush;
pub mod instagram_interaction;
pub mod instagram_media;
pub mod job;
