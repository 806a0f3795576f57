//! Text the API accepts is printable: a control character (NUL, escapes, C1) in a path, a query
//! or a JSON string is refused with a problem before any handler sees it. PostgreSQL rejects
//! NUL in text, and no name, slug or id here has a use for the others. Lengths are bounded too.

use axum::{
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use percent_encoding::percent_decode_str;

use super::error::Problem;

/// Longest path plus query accepted, in bytes (decoded or not, no route needs more).
pub const MAX_URI_BYTES: usize = 8192;
/// Longest string accepted anywhere in a JSON body, in characters.
pub const MAX_JSON_STRING_CHARS: usize = 4096;

/// Why some text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// It holds a control character.
    #[error("{0} contains a control character")]
    ControlCharacter(&'static str),
    /// It is longer than accepted.
    #[error("{0} is too long")]
    TooLong(&'static str),
}

/// Whether `text` holds a control character (C0, DEL or C1).
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Refuses requests whose path or query, once percent-decoded, holds a control character, or
/// that are too long.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    match check_uri(request.uri()) {
        Ok(()) => next.run(request).await,
        Err(err @ TextError::TooLong(_)) => {
            Problem::new(StatusCode::URI_TOO_LONG, "uri_too_long", Some(err.to_string())).into_response()
        }
        Err(err) => {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_characters", Some(err.to_string())).into_response()
        }
    }
}

fn check_uri(uri: &axum::http::Uri) -> Result<(), TextError> {
    let (path, query) = (uri.path(), uri.query().unwrap_or_default());
    if path.len() + query.len() > MAX_URI_BYTES {
        return Err(TextError::TooLong("the URI"));
    }
    for (part, text) in [("the path", path), ("the query", query)] {
        // Invalid UTF-8 once decoded is left to the extractors, which refuse it.
        let decoded = percent_decode_str(text).decode_utf8_lossy();
        if has_control(&decoded) {
            return Err(TextError::ControlCharacter(part));
        }
    }
    Ok(())
}

/// Checks every string value in a JSON value. Keys are not checked: a field the request type
/// does not know is ignored, and the ones it knows are plain names.
pub fn check_json(value: &serde_json::Value) -> Result<(), TextError> {
    match value {
        serde_json::Value::String(text) => check_string(text),
        serde_json::Value::Array(items) => items.iter().try_for_each(check_json),
        serde_json::Value::Object(fields) => fields.values().try_for_each(check_json),
        _ => Ok(()),
    }
}

fn check_string(text: &str) -> Result<(), TextError> {
    if has_control(text) {
        return Err(TextError::ControlCharacter("a string in the body"));
    }
    if text.chars().count() > MAX_JSON_STRING_CHARS {
        return Err(TextError::TooLong("a string in the body"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn control_characters_are_found_wherever_they_hide() {
        for bad in ["a\0b", "tab\there", "line\n", "del\u{7f}", "c1\u{85}", "esc\u{1b}[31m"] {
            assert!(has_control(bad), "{bad:?}");
            assert_eq!(
                check_json(&json!({ "name": bad })),
                Err(TextError::ControlCharacter("a string in the body"))
            );
            assert!(check_json(&json!([{ "k": [bad] }])).is_err(), "nested too");
        }
        assert_eq!(check_json(&json!({"name": "Zoë’s laptop 🚀", "n": 1, "x": null})), Ok(()));
        assert!(check_json(&json!({ "name": "x".repeat(MAX_JSON_STRING_CHARS + 1) })).is_err());
    }

    #[test]
    fn encoded_control_characters_in_the_uri_are_refused() {
        let check = |uri: &str| check_uri(&uri.parse().unwrap());
        assert_eq!(check("/api/crush/a%00b"), Err(TextError::ControlCharacter("the path")));
        assert_eq!(check("/api/x?limit=1%0A"), Err(TextError::ControlCharacter("the query")));
        assert_eq!(check("/api/x?q=%C2%85"), Err(TextError::ControlCharacter("the query")), "C1 (NEL)");
        assert_eq!(check("/crush/caf%C3%A9?x=a+b%20c"), Ok(()));
        assert_eq!(check(&format!("/x?{}", "a".repeat(MAX_URI_BYTES))), Err(TextError::TooLong("the URI")));
    }
}
