//! Signing in from tests: a [`Browser`] that keeps cookies the way a browser does (by name and
//! path, removed when expired), and the sign-in round trip through the sandbox over HTTP.

use std::sync::Mutex;

use instacrush::http::CSRF_HEADER;
use reqwest::{Method, RequestBuilder, Response, StatusCode, header};

use crate::TestApp;

/// A cookie as a browser keeps it.
#[derive(Debug, Clone)]
struct StoredCookie {
    name: String,
    value: String,
    path: String,
}

/// An HTTP client with a cookie jar, talking to one [`TestApp`].
pub struct Browser {
    client: reqwest::Client,
    base_url: String,
    cookies: Mutex<Vec<StoredCookie>>,
}

impl Browser {
    /// A browser with no cookies for the app at `base_url`.
    pub fn new(client: reqwest::Client, base_url: &str) -> Self {
        Self { client, base_url: base_url.to_owned(), cookies: Mutex::new(Vec::new()) }
    }

    /// A request to `path` (or an absolute URL) with the cookies a browser would send there.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base_url) };
        let request_path = url::Url::parse(&url).unwrap().path().to_owned();
        let cookies = self.cookies.lock().unwrap();
        let header_value: Vec<String> = cookies
            .iter()
            .filter(|cookie| request_path.starts_with(&cookie.path))
            .map(|cookie| format!("{}={}", cookie.name, cookie.value))
            .collect();
        let request = self.client.request(method, url);
        if header_value.is_empty() {
            request
        } else {
            request.header(header::COOKIE, header_value.join("; "))
        }
    }

    /// Sends a request and keeps the cookies its response sets.
    pub async fn send(&self, request: RequestBuilder) -> Response {
        let response = request.send().await.expect("request sent");
        for value in response.headers().get_all(header::SET_COOKIE) {
            self.absorb(value.to_str().unwrap());
        }
        response
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.send(self.request(Method::GET, path)).await
    }

    /// `POST path` with the CSRF header, as the SPA sends it.
    pub async fn post(&self, path: &str) -> Response {
        self.send(self.request(Method::POST, path).header(CSRF_HEADER, "1")).await
    }

    /// `POST path` with a JSON body and the CSRF header.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.send(self.request(Method::POST, path).header(CSRF_HEADER, "1").json(body)).await
    }

    /// `DELETE path` with the CSRF header.
    pub async fn delete(&self, path: &str) -> Response {
        self.send(self.request(Method::DELETE, path).header(CSRF_HEADER, "1")).await
    }

    /// The value of cookie `name`, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .find(|cookie| cookie.name == name)
            .map(|cookie| cookie.value.clone())
    }

    /// Sets cookie `name` for `path` (replacing any of that name), e.g. to plant a forged token.
    pub fn set_cookie(&self, name: &str, value: &str, path: &str) {
        let mut cookies = self.cookies.lock().unwrap();
        cookies.retain(|cookie| cookie.name != name);
        cookies.push(StoredCookie { name: name.to_owned(), value: value.to_owned(), path: path.to_owned() });
    }

    /// Applies one `Set-Cookie` header.
    fn absorb(&self, set_cookie: &str) {
        let mut parts = set_cookie.split(';').map(str::trim);
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        let mut path = "/".to_owned();
        let mut removed = value.is_empty();
        for attribute in parts {
            let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
            match key.to_ascii_lowercase().as_str() {
                "path" => path = val.to_owned(),
                "max-age" => removed |= val.parse::<i64>().is_ok_and(|secs| secs <= 0),
                _ => {}
            }
        }
        let mut cookies = self.cookies.lock().unwrap();
        cookies.retain(|cookie| cookie.name != name);
        if !removed {
            cookies.push(StoredCookie { name: name.to_owned(), value: value.to_owned(), path });
        }
    }
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    assert!(response.status().is_redirection(), "expected a redirect, got {}", response.status());
    response.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

/// Base64url without padding (for forging JWT parts in tests).
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, byte)| n | u32::from(*byte) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

impl TestApp {
    /// A browser with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(self.client.clone(), &self.base_url)
    }

    /// Starts a sign-in in `browser`; returns the authorize window URL it was sent to.
    pub async fn start_sign_in(&self, browser: &Browser, return_to: &str) -> String {
        let path = format!(
            "/api/auth/instagram?return_to={}",
            url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>()
        );
        let response = browser.get(&path).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        location(&response)
    }

    /// Answers the sandbox's authorize window (approving as `username`, or declining when
    /// `None`); returns the callback URL Instagram redirects the browser to.
    pub async fn authorize(&self, authorize_url: &str, username: Option<&str>) -> String {
        let answer = match username {
            Some(username) => format!("login_hint={username}"),
            None => "decision=deny".to_owned(),
        };
        let response = self.client.get(format!("{authorize_url}&{answer}")).send().await.unwrap();
        location(&response)
    }

    /// Signs in as the sandbox account `username`; returns the signed-in browser.
    pub async fn sign_in(&self, username: &str) -> Browser {
        let browser = self.browser();
        let authorize_url = self.start_sign_in(&browser, "/").await;
        let callback = self.authorize(&authorize_url, Some(username)).await;
        let response = browser.get(&callback).await;
        assert_eq!(location(&response), "/", "signed in");
        browser
    }
}
