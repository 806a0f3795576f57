//! Pictures the sandbox serves itself, so nothing loads from the internet: SVG avatars with
//! initials for every person, and an SVG "photo" per post.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::escape_html;
use super::extract::MetaPath;
use crate::ids::{self, Node};
use crate::rng;
use crate::state::Shared;

fn svg(body: String) -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], body)
        .into_response()
}

fn hue(seed: u64, key: &str) -> u64 {
    rng::hash(seed, &key.bytes().map(u64::from).collect::<Vec<_>>()) % 360
}

/// `GET /_sandbox/pictures/{username}.svg`.
pub async fn avatar(State(state): State<Shared>, MetaPath(file): MetaPath<String>) -> Response {
    let Some(username) = file.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(person) = state.data.person_by_username(username) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let initials: String = person.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    let h = hue(0, &person.username);
    svg(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"150\" height=\"150\" viewBox=\"0 0 150 150\">\
         <rect width=\"150\" height=\"150\" fill=\"hsl({h},65%,55%)\"/>\
         <text x=\"75\" y=\"92\" font-family=\"sans-serif\" font-size=\"56\" fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
        escape_html(&initials)
    ))
}

/// `GET /_sandbox/media/{media-id}.svg`.
pub async fn media(State(state): State<Shared>, MetaPath(file): MetaPath<String>) -> Response {
    let found = file.strip_suffix(".svg").and_then(ids::parse).and_then(|node| match node {
        Node::Media(m) => state.data.account(m.account).and_then(|a| a.post(m.post)).map(|p| (m, p)),
        _ => None,
    });
    let Some((id, post)) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let h = hue(state.data.seed, &id.value().to_string());
    svg(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"640\" viewBox=\"0 0 640 640\">\
         <defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\"><stop offset=\"0\" stop-color=\"hsl({h},70%,60%)\"/>\
         <stop offset=\"1\" stop-color=\"hsl({},70%,40%)\"/></linearGradient></defs>\
         <rect width=\"640\" height=\"640\" fill=\"url(#g)\"/>\
         <text x=\"320\" y=\"330\" font-family=\"sans-serif\" font-size=\"32\" fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
        (h + 60) % 360,
        escape_html(&post.caption)
    ))
}

/// `GET /_sandbox/p/{media-id}`: a post's permalink, which shows its picture.
pub async fn permalink(MetaPath(id): MetaPath<String>) -> Response {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    axum::response::Redirect::to(&format!("/_sandbox/media/{id}.svg")).into_response()
}
