//! Extractors whose rejections are problem+json like every other error.

use axum::{
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

use super::{error::Problem, input};

/// `axum::Json`, rejecting malformed bodies, and strings holding control characters or too
/// long, with a problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + utoipa::PartialSchema, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(request, state).await?;
        let unprocessable =
            |code, detail| Rejection(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, Some(detail)));
        // Only the fields the body's type declares: the others are ignored, whatever they hold.
        let known = known_fields::<T>();
        let checked = match &value {
            serde_json::Value::Object(fields) if !known.is_empty() => fields
                .iter()
                .filter(|(key, _)| known.iter().any(|field| field == *key))
                .try_for_each(|(_, value)| input::check_json(value)),
            _ => input::check_json(&value),
        };
        checked.map_err(|err| unprocessable("invalid_characters", err.to_string()))?;
        serde_json::from_value(value).map(Json).map_err(|err| {
            unprocessable(
                "invalid_body",
                format!("Failed to deserialize the JSON body into the target type: {err}"),
            )
        })
    }
}

/// The properties `T`'s schema declares, when it is an object.
fn known_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    use utoipa::openapi::{RefOr, Schema};
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path`, rejecting bad parameters with a problem.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Rejection))]
pub struct Path<T>(pub T);

/// `axum::extract::Query`, rejecting bad parameters with a problem.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Rejection))]
pub struct Query<T>(pub T);

/// A rejected extraction, answered as a problem with the extractor's status.
#[derive(Debug)]
pub struct Rejection(Problem);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

macro_rules! rejection_from {
    ($($rejection:ty => $code:literal),* $(,)?) => {$(
        impl From<$rejection> for Rejection {
            fn from(rejection: $rejection) -> Self {
                Self(Problem::new(rejection.status(), $code, Some(rejection.body_text())))
            }
        }
    )*};
}

rejection_from! {
    JsonRejection => "invalid_body",
    PathRejection => "invalid_path",
    QueryRejection => "invalid_query",
}

#[cfg(test)]
mod tests {
    use axum::{
        Router,
        body::Body,
        http::{Request, StatusCode},
        routing::post,
    };
    use tower::ServiceExt as _;

    use super::*;

    #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
    struct Greeting {
        #[allow(dead_code)]
        name: String,
    }

    async fn greet(Path(id): Path<u32>, Json(_): Json<Greeting>) -> String {
        id.to_string()
    }

    async fn send(uri: &str, content_type: &str, body: &'static str) -> (StatusCode, serde_json::Value) {
        let app = Router::new().route("/greet/{id}", post(greet));
        let request = Request::post(uri).header("content-type", content_type).body(Body::from(body)).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn malformed_json_is_a_problem() {
        let (status, body) = send("/greet/1", "application/json", "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_body");
        assert!(
            body["detail"].as_str().unwrap().contains("Failed to parse the request body as JSON"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn wrong_shape_is_unprocessable() {
        let (status, body) = send("/greet/1", "application/json", r#"{"nom":"x"}"#).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["detail"].as_str().unwrap().contains("name"), "{body}");
    }

    #[tokio::test]
    async fn control_characters_in_strings_are_unprocessable() {
        let (status, body) = send("/greet/1", "application/json", r#"{"name":"a\u0000b"}"#).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_characters");
    }

    #[tokio::test]
    async fn missing_content_type_is_unsupported() {
        let (status, _) = send("/greet/1", "text/plain", r#"{"name":"x"}"#).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn bad_path_parameter_is_a_problem() {
        let (status, body) = send("/greet/abc", "application/json", r#"{"name":"x"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_path");
    }
}
