//! The web app as the server delivers it: crush pages with their link-preview head, the card
//! image, status codes for every path, static files with their caching and compression, and the
//! cookie that tells the app a session exists. Accounts and crushes are written straight into
//! the database, usernames with markup in them among them.

use std::path::Path;

use instacrush::entities::instagram_user;
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode, header};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait as _, DatabaseConnection, Statement};
use time::OffsetDateTime;

on_both_backends!(
    a_crush_page_carries_its_preview_escaped,
    unknown_crushes_and_paths_are_not_found_known_pages_are,
    the_card_is_a_png_cached_by_etag,
    static_files_are_cached_and_precompressed,
    the_session_tells_the_web_app_it_exists,
);

/// The built app's `index.html`, with the head block the server replaces.
const INDEX: &str = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n    \
                     <!--page-head--><title>Instacrush</title>\n    \
                     <meta name=\"description\" content=\"The app.\" /><!--/page-head-->\n  </head>\n  \
                     <body><div id=\"root\"></div></body>\n</html>\n";
const SLUG: &str = "k7m2xq9rd4tv8wz3hc6p";
const OWNER: &str = r#"<script>alert("o")</script>"#;
const CRUSH: &str = r#"o'hara"&co"#;

/// A built app in a temp dir: `index.html`, a hashed script with its brotli and gzip
/// twins, `robots.txt` and `favicon.ico`.
fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, bytes: &[u8]| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("index.html", INDEX.as_bytes());
    write("assets/index-B4x9Qk2a.js", b"console.log('plain')");
    write("assets/index-B4x9Qk2a.js.br", b"brotli bytes");
    write("assets/index-B4x9Qk2a.js.gz", b"gzip bytes");
    write("robots.txt", b"User-agent: *\nAllow: /\n");
    write("favicon.ico", b"\0\0\x01\0");
    dir
}

async fn spawn_with_app(backend: Backend, dir: &Path) -> TestApp {
    let dir = dir.to_owned();
    TestApp::spawn_with(backend, move |config| config.http.static_dir = dir).await
}

async fn account(db: &DatabaseConnection, ig_id: &str, username: &str) -> i64 {
    let now = OffsetDateTime::now_utc();
    let row = instagram_user::ActiveModel {
        ig_id: Set(Some(ig_id.to_owned())),
        username: Set(username.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    row.insert(db).await.unwrap().id
}

/// `OWNER`'s crush `CRUSH` at `SLUG`, computed at `computed_at`.
async fn seed_crush(db: &DatabaseConnection, computed_at: OffsetDateTime) {
    let owner = account(db, "ig-owner", OWNER).await;
    let them = account(db, "ig-crush", CRUSH).await;
    // The crush queries use SQL directly (there is no sea-orm entity for `crushes`).
    let statement = Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO crushes (owner_id, crush_id, slug, comments_count, posts_count, computed_at, is_current, \
         created_at, updated_at) VALUES ($1, $2, $3, 1204, 19, $4, $5, $4, $4)",
        [owner.into(), them.into(), SLUG.into(), computed_at.into(), true.into()],
    );
    db.execute_raw(statement).await.unwrap();
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> String {
    response.headers().get(name).map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn a_crush_page_carries_its_preview_escaped(backend: Backend) {
    let dir = built_app();
    let app = spawn_with_app(backend, dir.path()).await;
    seed_crush(&app.db, OffsetDateTime::now_utc()).await;

    let page = app.get(&format!("/crush/{SLUG}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header_of(&page, header::CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    let html = page.text().await.unwrap();
    let url = format!("{}/crush/{SLUG}", app.base_url);
    let owner = "&lt;script&gt;alert(&quot;o&quot;)&lt;/script&gt;";
    let them = "o&#39;hara&quot;&amp;co";
    for expected in [
        format!("<title>@{owner}’s crush · Instacrush</title>"),
        format!(
            r#"<meta name="description" content="@{them} comments most on @{owner}’s recent Instagram posts: 1,204 comments and replies on 19 posts."#
        ),
        format!(r#"<meta property="og:title" content="@{owner}’s crush" />"#),
        format!(r#"<meta property="og:url" content="{url}" />"#),
        format!(r#"<meta property="og:image" content="{url}/card.png" />"#),
        r#"<meta property="og:type" content="website" />"#.to_owned(),
        r#"<meta property="og:site_name" content="Instacrush" />"#.to_owned(),
        r#"<meta name="twitter:card" content="summary_large_image" />"#.to_owned(),
        format!(r#"<link rel="canonical" href="{url}" />"#),
    ] {
        assert!(html.contains(&expected), "{expected}\nnot in\n{html}");
    }
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<title>Instacrush</title>"), "the app's own title is replaced: {html}");
    assert!(html.contains("<div id=\"root\"></div>"), "{html}");
}

async fn unknown_crushes_and_paths_are_not_found_known_pages_are(backend: Backend) {
    let dir = built_app();
    let app = spawn_with_app(backend, dir.path()).await;
    seed_crush(&app.db, OffsetDateTime::now_utc()).await;

    for path in ["/crush/abcdefghijkmnpqrstuv", "/crush/not-a-slug", "/no/such/page", "/signin/extra"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(header_of(&response, header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("<div id=\"root\"></div>"), "the app renders its not-found page: {html}");
        assert!(html.contains(r#"<meta name="robots" content="noindex" />"#), "{path}: {html}");
    }
    for path in [
        "/",
        "/signin",
        "/loading",
        "/top-users",
        "/top-users/1789",
        "/top-posts",
        "/account",
        "/account/deleted",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.text().await.unwrap().contains("<div id=\"root\"></div>"), "{path}");
    }
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains(&format!(r#"<link rel="canonical" href="{}/" />"#, app.base_url)), "{home}");
    // Missing assets and API paths keep their plain answers.
    let asset = app.get("/assets/missing-1234.js").await;
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
    assert!(!asset.text().await.unwrap().contains("<div id=\"root\">"));
    let api = app.get("/api/nope").await;
    assert_eq!(header_of(&api, header::CONTENT_TYPE), "application/problem+json");
}

/// The width and height in a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let int = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (int(16), int(20))
}

async fn the_card_is_a_png_cached_by_etag(backend: Backend) {
    // Works without the web app built.
    let app = TestApp::spawn(backend).await;
    let computed_at = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    seed_crush(&app.db, computed_at).await;
    let path = format!("/crush/{SLUG}/card.png");

    let card = app.get(&path).await;
    assert_eq!(card.status(), StatusCode::OK);
    assert_eq!(header_of(&card, header::CONTENT_TYPE), "image/png");
    assert!(header_of(&card, header::CACHE_CONTROL).starts_with("public, max-age="));
    let etag = header_of(&card, header::ETAG);
    assert!(etag.contains(SLUG), "{etag}");
    let png = card.bytes().await.unwrap();
    assert_eq!(png_size(&png), (1200, 630));

    let again = app.client.get(app.url(&path)).header(header::IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::ETAG), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let same = app.get(&path).await;
    assert_eq!(same.bytes().await.unwrap(), png, "the same data draws the same card");

    // Recomputed: a new ETag, and the old one no longer matches.
    let statement = Statement::from_sql_and_values(
        app.db.get_database_backend(),
        "UPDATE crushes SET computed_at = $1, comments_count = 7 WHERE slug = $2",
        [OffsetDateTime::now_utc().into(), SLUG.into()],
    );
    app.db.execute_raw(statement).await.unwrap();
    let fresh = app.client.get(app.url(&path)).header(header::IF_NONE_MATCH, &etag).send().await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_ne!(header_of(&fresh, header::ETAG), etag);
    assert_ne!(fresh.bytes().await.unwrap(), png);

    for unknown in ["/crush/abcdefghijkmnpqrstuv/card.png", "/crush/nope/card.png"] {
        assert_eq!(app.get(unknown).await.status(), StatusCode::NOT_FOUND, "{unknown}");
    }
}

async fn static_files_are_cached_and_precompressed(backend: Backend) {
    let dir = built_app();
    let app = spawn_with_app(backend, dir.path()).await;
    let script = "/assets/index-B4x9Qk2a.js";
    for (accept, encoding, body) in [
        ("br, gzip", "br", "brotli bytes"),
        ("gzip", "gzip", "gzip bytes"),
        ("identity", "", "console.log('plain')"),
    ] {
        let response =
            app.client.get(app.url(script)).header(header::ACCEPT_ENCODING, accept).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(header_of(&response, header::CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        assert_eq!(response.text().await.unwrap(), body, "{accept}");
    }
    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status(), StatusCode::OK);
    assert!(header_of(&robots, header::CONTENT_TYPE).starts_with("text/plain"));
    assert!(robots.text().await.unwrap().starts_with("User-agent"));
    let favicon = app.get("/favicon.ico").await;
    assert_eq!(favicon.status(), StatusCode::OK);
    assert!(header_of(&favicon, header::CONTENT_TYPE).contains("icon"), "{:?}", favicon.headers());
    for page in ["/", "/index.html", "/top-users"] {
        assert_eq!(header_of(&app.get(page).await, header::CACHE_CONTROL), "no-cache", "{page}");
    }
}

async fn the_session_tells_the_web_app_it_exists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    assert_eq!(browser.cookie("ic_signed_in").as_deref(), Some("1"));
    let renewed = browser
        .send(browser.request(Method::POST, "/api/auth/refresh").header("x-instacrush-csrf", "1"))
        .await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let hint = renewed
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("ic_signed_in=1"))
        .expect("the refresh renews the hint");
    assert!(hint.split(';').map(str::trim).any(|attribute| attribute == "Path=/"), "{hint}");
    assert!(!hint.contains("HttpOnly"), "the web app's JavaScript reads it: {hint}");
    let signed_out = browser
        .send(browser.request(Method::POST, "/api/auth/logout").header("x-instacrush-csrf", "1"))
        .await;
    assert_eq!(signed_out.status(), StatusCode::NO_CONTENT);
    assert_eq!(browser.cookie("ic_signed_in"), None);
}
