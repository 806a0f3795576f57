//! Sharing a crush: the page head that link previews read, and the card image they show.

mod card;
mod card_cache;
mod head;
mod text;

pub use self::{
    card::{CARD_HEIGHT, CARD_WIDTH, CardData, initial, render_card, summary},
    card_cache::CardCache,
    head::{IndexTemplate, PageHead, escape_html},
};
