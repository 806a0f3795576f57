//! The document's patterns and lengths say exactly what the server accepts: every string the
//! schema allows is accepted, every other one refused (the contract fuzzer checks both ways).
//! Checked over every short string of an alphabet chosen around each rule's edges.

use regex::Regex;
use serde_json::Value;

use crate::auth::{ReturnTo, api_tokens, signed_request};

fn document() -> Value {
    serde_json::to_value(crate::http::openapi()).expect("the document serializes")
}

/// What a string schema (`pattern`, `minLength`, `maxLength`) allows.
struct StringSchema {
    pattern: Regex,
    min: usize,
    max: usize,
}

impl StringSchema {
    fn of(schema: &Value) -> Self {
        let pattern = schema["pattern"].as_str().expect("a pattern");
        let length = |key: &str, default| schema[key].as_u64().map_or(default, |n| n as usize);
        Self {
            pattern: Regex::new(pattern).expect("the pattern compiles"),
            min: length("minLength", 0),
            max: length("maxLength", usize::MAX),
        }
    }

    fn allows(&self, text: &str) -> bool {
        let length = text.chars().count();
        (self.min..=self.max).contains(&length) && self.pattern.is_match(text)
    }
}

/// Every string of up to `max_len` characters from `alphabet`.
fn strings(alphabet: &[char], max_len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..max_len {
        last = last.iter().flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}"))).collect();
        all.extend(last.iter().cloned());
    }
    all
}

#[test]
fn return_to_is_what_sign_in_accepts() {
    let spec = document();
    let parameters =
        spec["paths"]["/api/auth/instagram"]["get"]["parameters"].as_array().expect("parameters");
    let return_to = parameters.iter().find(|p| p["name"] == "return_to").expect("return_to");
    let schema = StringSchema::of(&return_to["schema"]);
    assert_eq!(schema.max, ReturnTo::MAX_LEN);
    let alphabet = ['/', '\\', '#', '?', '=', 'a', 'é', ':', '%', '.', ' ', '\t', '\u{85}', '\u{7f}'];
    let mut samples = strings(&alphabet, 4);
    let long = "é".repeat(schema.max - 1);
    samples.extend([
        format!("/{long}"),
        format!("/{long}a"),
        "/crush?tab=top".to_owned(),
        "//evil".to_owned(),
    ]);
    for candidate in &samples {
        assert_eq!(schema.allows(candidate), ReturnTo::parse(candidate).is_ok(), "return_to={candidate:?}");
    }
}

#[test]
fn token_names_are_what_the_server_accepts() {
    let spec = document();
    let schema = StringSchema::of(&spec["components"]["schemas"]["NewApiToken"]["properties"]["name"]);
    let alphabet =
        ['a', ' ', '\t', '\0', '\u{1c}', '\u{85}', '\u{a0}', '\u{3000}', '\u{feff}', 'é', '\u{2028}'];
    let mut samples = strings(&alphabet, 4);
    samples.extend([" ".repeat(100), format!("{} ", "a".repeat(99)), format!(" {}", "a".repeat(100))]);
    for name in &samples {
        assert_eq!(schema.allows(name), api_tokens::token_name(name).is_ok(), "name={name:?}");
    }
    // Each character alone: the schema's whitespace and control characters are the server's.
    for c in (0..=0x10_ffff).filter_map(char::from_u32) {
        let name = c.to_string();
        assert_eq!(
            schema.allows(&name),
            api_tokens::token_name(&name).is_ok(),
            "name={name:?} ({:#x})",
            c as u32
        );
    }
}

#[test]
fn a_signed_request_of_the_declared_shape_is_refused_only_for_its_signature() {
    // The schema cannot tell a valid signature, so a well-formed signed_request that does not
    // verify is refused as a credential (403), never as malformed (400, which would be the server
    // refusing what the contract allows).
    let spec = document();
    let schema =
        StringSchema::of(&spec["components"]["schemas"]["SignedRequestForm"]["properties"]["signed_request"]);
    let secret = "app-secret";
    for candidate in strings(&['A', 'b', '-', '_', '=', '.', '+', ' '], 5) {
        let verified = signed_request::verify(&candidate, secret);
        if schema.allows(&candidate) {
            assert_eq!(verified, Err(signed_request::SignedRequestError::BadSignature), "{candidate:?}");
        } else {
            assert!(verified.is_err(), "{candidate:?}");
        }
    }
    let genuine =
        signed_request::sign(&serde_json::json!({"algorithm": "HMAC-SHA256", "user_id": "1"}), secret);
    assert!(schema.allows(&genuine) && signed_request::verify(&genuine, secret).is_ok(), "{genuine}");
}
