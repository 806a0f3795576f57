//! The OpenAPI document's frame: info, tags and security schemes. Paths come
//! from the router itself (`super::api_router`).

use utoipa::OpenApi;

use super::error::Problem;

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
        (name = "ops", description = "Health, readiness and metrics"),
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;
