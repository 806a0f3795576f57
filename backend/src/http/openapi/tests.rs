//! What every operation of the generated document must declare for generated clients to work
//! without friction: its security, a problem for any status, a description, response headers.

use serde_json::Value;

use crate::http::CSRF_HEADER;

fn document() -> Value {
    serde_json::to_value(crate::http::openapi()).expect("the document serializes")
}

/// Every operation as (method, path, operation).
fn operations(spec: &Value) -> Vec<(String, String, Value)> {
    let paths = spec["paths"].as_object().expect("paths");
    let mut all = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    assert!(all.len() > 20, "every route is in the document: {}", all.len());
    all
}

fn scheme_names(requirement: &Value) -> Vec<&str> {
    requirement.as_object().expect("a requirement").keys().map(String::as_str).collect()
}

#[test]
fn every_operation_declares_its_security() {
    let spec = document();
    for (method, path, operation) in operations(&spec) {
        let requirements = operation["security"].as_array().unwrap_or_else(|| {
            panic!("{method} {path}: no `security` (write `security()` for a public operation)")
        });
        let unsafe_method = matches!(method.as_str(), "post" | "put" | "patch" | "delete");
        for requirement in requirements {
            let names = scheme_names(requirement);
            assert!(!names.is_empty(), "{method} {path}: an empty requirement makes credentials optional");
            let by_cookie = names.iter().any(|name| name.ends_with("_cookie"));
            let csrf = names.contains(&"csrf_header");
            assert!(
                (csrf || !(unsafe_method && by_cookie)) && (unsafe_method || !csrf),
                "{method} {path}: unsafe requests by cookie need the CSRF header, safe ones never: {names:?}"
            );
        }
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        assert!(
            parameters.iter().all(|parameter| parameter["name"] != CSRF_HEADER),
            "{method} {path}: the CSRF header is the `csrf_header` scheme, not a parameter"
        );
    }
    let schemes = spec["components"]["securitySchemes"].as_object().expect("schemes");
    let mut names: Vec<&str> = schemes.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["bearer", "csrf_header", "refresh_cookie", "session_cookie"]);
    assert_eq!(schemes["csrf_header"]["name"], CSRF_HEADER);
}

#[test]
fn every_operation_answers_any_other_status_with_a_problem() {
    let spec = document();
    for (method, path, operation) in operations(&spec) {
        let default = &operation["responses"]["default"];
        assert_eq!(
            default["content"]["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem",
            "{method} {path}: no `default` problem response (list `OtherProblem` last)"
        );
    }
}

#[test]
fn every_operation_has_a_one_line_summary_and_a_description() {
    let spec = document();
    for (method, path, operation) in operations(&spec) {
        let summary = operation["summary"].as_str().unwrap_or_default();
        assert!(!summary.is_empty() && !summary.contains('\n'), "{method} {path}: summary {summary:?}");
        let description = operation["description"].as_str().unwrap_or_default();
        assert!(description.len() > 20, "{method} {path}: no description");
    }
}

#[test]
fn headers_are_declared_wherever_they_are_sent() {
    let spec = document();
    let mut polled = 0;
    for (method, path, operation) in operations(&spec) {
        let responses = operation["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let expected: &[&str] = match status.as_str() {
                "202" => &["Location", "Retry-After"],
                "302" => &["Location"],
                "429" => &["Retry-After"],
                _ => &[],
            };
            for header in expected {
                assert!(
                    response["headers"][header].is_object(),
                    "{method} {path} {status}: `{header}` is not declared"
                );
            }
            polled += usize::from(status == "202");
        }
    }
    assert_eq!(polled, 3, "GET /api/crush, GET /api/crush/loading and POST /api/users/me/sync answer 202");
}

#[test]
fn pages_refer_to_their_items() {
    let spec = document();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let pages: Vec<&String> = schemas.keys().filter(|name| name.starts_with("Page_")).collect();
    assert!(!pages.is_empty());
    for name in pages {
        let item = name.trim_start_matches("Page_");
        assert_eq!(
            schemas[name]["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{name} copies its item schema"
        );
    }
}

#[test]
fn the_document_names_a_server_and_a_contact() {
    let spec = document();
    assert!(
        spec["servers"][0]["url"].as_str().is_some_and(|url| url.starts_with("http")),
        "{}",
        spec["servers"]
    );
    assert!(spec["info"]["contact"]["name"].is_string());
    assert_eq!(spec["info"]["license"]["identifier"], "MIT");
}

/// Whether `schema` admits `null` (`type: [T, "null"]`, or `oneOf` with a `null` branch).
fn nullable(schema: &Value) -> bool {
    let null_type = |schema: &Value| match &schema["type"] {
        Value::String(kind) => kind == "null",
        Value::Array(kinds) => kinds.iter().any(|kind| kind == "null"),
        _ => false,
    };
    null_type(schema) || schema["oneOf"].as_array().is_some_and(|branches| branches.iter().any(null_type))
}

#[test]
fn fields_that_can_be_null_are_always_sent() {
    // A nullable field the server always sends is required: generated clients then type it
    // `T | null`, not `T | null | undefined`. Only the problem's extras are left out when empty.
    let spec = document();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let mut checked = 0;
    for (name, schema) in schemas {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|fields| fields.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            if !nullable(property)
                || (name == "Problem" && ["detail", "sign_in_url"].contains(&field.as_str()))
            {
                continue;
            }
            checked += 1;
            assert!(required.contains(&field.as_str()), "{name}.{field} can be null but is not required");
        }
    }
    assert!(checked > 20, "nullable fields seen: {checked}");
}

#[test]
fn the_two_bodies_of_get_crush_say_what_they_are() {
    let spec = document();
    let schemas = &spec["components"]["schemas"];
    for (body, value) in [("MyCrush", "my_crush"), ("SyncStatus", "sync_status")] {
        assert!(
            schemas[body]["required"].as_array().expect("required").contains(&"resource".into()),
            "{body}"
        );
        assert_eq!(
            schemas[body]["properties"]["resource"]["$ref"],
            format!("#/components/schemas/{body}Resource")
        );
        assert_eq!(schemas[format!("{body}Resource")]["enum"], serde_json::json!([value]), "{body}");
    }
}
