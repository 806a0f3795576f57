//! Browser sessions: a short-lived access JWT and a rotating refresh token, each in an
//! httpOnly cookie the SPA's JavaScript cannot read.

use std::time::Duration;

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    sea_query::Expr,
};

use super::{
    AccessClaims, Auth, TokenUse,
    refresh::{self, RefreshError, RefreshSecret},
};
use crate::{db::now, entities::user};

/// The access token cookie: sent to the whole API.
pub const ACCESS_COOKIE: &str = "ic_access";
/// The refresh token cookie: sent only to `/api/auth` (refresh and sign-out).
pub const REFRESH_COOKIE: &str = "ic_refresh";
/// The OAuth `state` cookie: sent only to the sign-in endpoints.
pub const STATE_COOKIE: &str = "ic_oauth_state";
/// Readable by the SPA's JavaScript, and saying only that this browser holds a session (no
/// secret): a signed-out visitor's pages then ask nothing that would answer `401`.
pub const SIGNED_IN_COOKIE: &str = "ic_signed_in";

const ACCESS_PATH: &str = "/api";
const REFRESH_PATH: &str = "/api/auth";
const STATE_PATH: &str = "/api/auth/instagram";

/// A session's tokens, to be put in cookies.
pub struct Session {
    /// The access JWT.
    pub access_token: String,
    /// The refresh token.
    pub refresh: RefreshSecret,
}

/// Starts a session for `user_id` (a new refresh-token family).
pub async fn start(db: &impl ConnectionTrait, auth: &Auth, user_id: i64) -> anyhow::Result<Session> {
    let refresh = refresh::issue(db, user_id, auth.refresh_ttl).await?;
    let access_token = sign_access(auth, &refresh)?;
    touch(db, user_id).await?;
    Ok(Session { access_token, refresh })
}

/// Rotates the refresh token and issues a new access token.
pub async fn renew(db: &DatabaseConnection, auth: &Auth, presented: &str) -> Result<Session, RefreshError> {
    let refresh = refresh::rotate(db, &auth.successors, presented, auth.refresh_ttl).await?;
    let access_token = sign_access(auth, &refresh)?;
    touch(db, refresh.user_id).await?;
    Ok(Session { access_token, refresh })
}

fn sign_access(auth: &Auth, refresh: &RefreshSecret) -> anyhow::Result<String> {
    let claims = AccessClaims {
        sid: Some(refresh.family_id.clone()),
        ..AccessClaims::new(refresh.user_id, TokenUse::Session, auth.access_ttl)
    };
    auth.keyring.sign(&claims)
}

async fn touch(db: &impl ConnectionTrait, user_id: i64) -> Result<(), sea_orm::DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::LastSeenAt, Expr::value(now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

fn cookie(
    auth: &Auth,
    name: &'static str,
    value: String,
    path: &'static str,
    max_age: Duration,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .secure(auth.secure_cookies)
        .same_site(SameSite::Lax)
        .path(path)
        .max_age(time::Duration::seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX)))
        .build()
}

/// Puts a session's tokens in their cookies.
pub fn set_cookies(jar: CookieJar, auth: &Auth, session: Session) -> CookieJar {
    let mut signed_in = cookie(auth, SIGNED_IN_COOKIE, "1".to_owned(), "/", auth.refresh_ttl);
    signed_in.set_http_only(false);
    jar.add(cookie(auth, ACCESS_COOKIE, session.access_token, ACCESS_PATH, auth.access_ttl))
        .add(cookie(auth, REFRESH_COOKIE, session.refresh.token, REFRESH_PATH, auth.refresh_ttl))
        .add(signed_in)
}

/// Removes the session cookies (sign-out, failed refresh).
pub fn clear_cookies(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(ACCESS_COOKIE).path(ACCESS_PATH))
        .remove(Cookie::build(REFRESH_COOKIE).path(REFRESH_PATH))
        .remove(Cookie::build(SIGNED_IN_COOKIE).path("/"))
}

/// Binds a sign-in's `state` to this browser. `SameSite=Lax`: the callback is a top-level
/// navigation from Instagram, which must carry it.
pub fn set_state_cookie(jar: CookieJar, auth: &Auth, state: String) -> CookieJar {
    jar.add(cookie(auth, STATE_COOKIE, state, STATE_PATH, super::oauth_state::STATE_TTL))
}

/// Removes the `state` cookie once the callback has run.
pub fn clear_state_cookie(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(STATE_COOKIE).path(STATE_PATH))
}
