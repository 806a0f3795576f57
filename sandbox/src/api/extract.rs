//! Extractors whose rejections are Meta-shaped errors instead of axum's plain-text ones, so a
//! malformed query, path or form never gets an answer the real API would not give.

use axum::extract::{Form, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::meta_error::{GraphError, OAuthError};

/// `Query<T>`, rejecting with a Graph error (code 100).
#[derive(Debug)]
pub struct MetaQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for MetaQuery<T> {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(e) => Err(GraphError::bad_param(format!("(#100) {}", e.body_text()))),
        }
    }
}

/// `Path<T>`, rejecting with a Graph error (code 2500, unknown path).
#[derive(Debug)]
pub struct MetaPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for MetaPath<T> {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(_) => Err(GraphError::unknown_path(parts.uri.path())),
        }
    }
}

/// `Form<T>`, rejecting in the OAuth error shape of `api.instagram.com`.
#[derive(Debug)]
pub struct OAuthForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OAuthForm<T> {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(Self(value)),
            Err(e) => Err(OAuthError::new(e.body_text())),
        }
    }
}
