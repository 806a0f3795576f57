//! The OpenAPI document's frame: info, tags and security schemes. Paths come
//! from the router itself (`super::api_router`).

use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use super::error::Problem;
use crate::auth::session::ACCESS_COOKIE;

/// The API's metadata; `api_router()` adds every path to it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Instacrush API",
        description = "Who interacts most with your Instagram posts. Syncing with Instagram runs \
                       as a background job: endpoints that need fresh data answer `202` with a \
                       job status to poll. Errors are RFC 9457 `application/problem+json`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    tags(
        (name = "auth", description = "Sign in with Instagram, the web session, and API tokens \
                                       for third-party clients (see docs/auth.md)"),
        (name = "crush", description = "Your crush, the sync that computes it (a background job to poll), \
                                        and public crush pages"),
        (name = "users", description = "The signed-in user's account"),
        (name = "meta", description = "Callbacks Meta calls: deauthorize and data deletion"),
        (name = "ops", description = "Health, readiness and metrics"),
    ),
    modifiers(&SecuritySchemes),
    components(schemas(Problem))
)]
pub struct ApiDoc;

/// The two ways to authenticate: the web app's session cookie (unsafe requests also need the
/// `x-instacrush-csrf` header), and a Bearer JWT from `POST /api/auth/token`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let cookie = ApiKey::Cookie(ApiKeyValue::with_description(
            ACCESS_COOKIE,
            "The web app's session: an httpOnly cookie set by signing in. Unsafe requests must \
             also send the `x-instacrush-csrf` header.",
        ));
        components.add_security_scheme("session_cookie", SecurityScheme::ApiKey(cookie));
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "For third-party clients: exchange an API token at `POST /api/auth/token` for a \
                 short-lived JWT and send `Authorization: Bearer <jwt>`.",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}
