//! The OpenAPI document's frame: info, servers, tags and security schemes, and the touches the
//! assembled document gets (`document`). Paths come from the router itself (`super::api_router`).

use utoipa::{
    Modify, OpenApi,
    openapi::{
        RefOr,
        schema::{ArrayItems, Schema},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use super::{current_user::CSRF_HEADER, error::Problem};
use crate::auth::session::{ACCESS_COOKIE, REFRESH_COOKIE};

/// The API's metadata; `api_router()` adds every path to it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Instacrush API",
        description = "Who interacts most with your Instagram posts. Syncing with Instagram runs \
                       as a background job: endpoints that need fresh data answer `202` with a \
                       job status to poll (`Location`, `Retry-After`), then `200`. Errors are \
                       RFC 9457 `application/problem+json` with a stable `code`, on every \
                       operation (its `default` response). Third-party clients authenticate \
                       with a Bearer token exchanged for an API token; see docs/sdk.md for \
                       generated clients.",
        contact(name = "Instacrush"),
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "http://127.0.0.1:3000", description = "A local `make run`; use your deployment's PUBLIC_URL")),
    tags(
        (name = "auth", description = "Sign in with Instagram, the web session, and API tokens \
                                       for third-party clients (see docs/auth.md)"),
        (name = "crush", description = "Your crush, the sync that computes it (a background job to poll), \
                                        and public crush pages"),
        (name = "users", description = "The signed-in user's account"),
        (name = "meta", description = "Callbacks Meta calls: deauthorize, data deletion and comment webhooks"),
        (name = "ops", description = "Health, readiness and metrics"),
    ),
    modifiers(&SecuritySchemes),
    components(schemas(Problem))
)]
pub struct ApiDoc;

/// The document as served and printed: the frame with every route's path, finished by the
/// touches that need the paths' schemas (which `#[openapi(modifiers)]` run too early to see).
pub fn document(mut spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    PageItemsByReference.modify(&mut spec);
    printable_inputs(spec)
}

/// What every string a request carries must match (`http/input.rs` refuses control characters
/// with a problem): said in the document for each string parameter and request-body field that
/// does not declare a stricter pattern of its own.
pub const PRINTABLE: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

fn printable_inputs(mut spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{Type, path::ParameterIn, schema::SchemaType};
    fn constrain(schema: &mut RefOr<Schema>) {
        let RefOr::T(Schema::Object(object)) = schema else { return };
        let is_string = match &object.schema_type {
            SchemaType::Type(kind) => *kind == Type::String,
            SchemaType::Array(kinds) => kinds.contains(&Type::String),
            SchemaType::AnyValue => false,
        };
        let free = object.pattern.is_none() && object.enum_values.is_none() && object.format.is_none();
        if is_string && free {
            object.pattern = Some(PRINTABLE.to_owned());
        }
    }
    let mut bodies = Vec::new();
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                // Paths and queries are checked (`http/input.rs`); headers are the HTTP layer's.
                if let RefOr::T(parameter) = parameter
                    && matches!(parameter.parameter_in, ParameterIn::Path | ParameterIn::Query)
                    && let Some(schema) = parameter.schema.as_mut()
                {
                    constrain(schema);
                }
            }
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else { continue };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                match content.schema.as_mut() {
                    Some(RefOr::Ref(reference)) => {
                        bodies.push(reference.ref_location.rsplit('/').next().unwrap_or_default().to_owned());
                    }
                    Some(RefOr::T(Schema::Object(object))) => {
                        object.properties.values_mut().for_each(constrain)
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(components) = spec.components.as_mut() {
        for name in bodies {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
                object.properties.values_mut().for_each(constrain);
            }
        }
    }
    spec
}

/// The ways to authenticate: the web app's session cookie (with the CSRF header on unsafe
/// requests), its refresh cookie, and a Bearer JWT from `POST /api/auth/token`. Each operation
/// declares the combination it needs.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let api_key = |key: ApiKey| SecurityScheme::ApiKey(key);
        let cookie = ApiKey::Cookie(ApiKeyValue::with_description(
            ACCESS_COOKIE,
            "The web app's session: an httpOnly cookie set by signing in. Unsafe requests send \
             `csrf_header` with it.",
        ));
        components.add_security_scheme("session_cookie", api_key(cookie));
        let csrf = ApiKey::Header(ApiKeyValue::with_description(
            CSRF_HEADER,
            "With the session or refresh cookie on unsafe requests: any non-empty value. A \
             cross-site form cannot send it.",
        ));
        components.add_security_scheme("csrf_header", api_key(csrf));
        let refresh = ApiKey::Cookie(ApiKeyValue::with_description(
            REFRESH_COOKIE,
            "The web app's refresh token: an httpOnly cookie (path `/api/auth`) set by signing in.",
        ));
        components.add_security_scheme("refresh_cookie", api_key(refresh));
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "For third-party clients: exchange an API token at `POST /api/auth/token` for a \
                 short-lived JWT and send `Authorization: Bearer <jwt>`; exchange again when its \
                 `expires_in` has passed.",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}

/// Page schemas (`Page_<Item>`) refer to their item's component instead of holding a copy of it:
/// utoipa inlines a generic's type argument, which would leave the named item schemas unused
/// and give generated clients two models for one thing.
struct PageItemsByReference;

impl Modify for PageItemsByReference {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else { return };
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix("Page_") else { continue };
            if !names.iter().any(|known| known == item) {
                continue;
            }
            if let RefOr::T(Schema::Object(page)) = schema
                && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
            {
                items.items = ArrayItems::RefOrSchema(Box::new(RefOr::Ref(
                    utoipa::openapi::Ref::from_schema_name(item),
                )));
            }
        }
    }
}

#[cfg(test)]
mod patterns;
#[cfg(test)]
mod tests;
