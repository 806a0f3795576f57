//! Meta's verification request: the GET a callback URL receives when it is saved in the App
//! Dashboard, which the app must answer with the challenge.

use serde::Serialize;

use crate::state::Sandbox;

/// What Meta's verification request got back.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The callback URL asked.
    pub url: String,
    /// The challenge sent.
    pub challenge: String,
    /// The app's HTTP status.
    pub status: Option<u16>,
    /// The app's body (at most 1 KiB).
    pub body: Option<String>,
    /// Whether the app echoed the challenge with 200, as Meta requires.
    pub verified: bool,
    /// Why the request failed, if it did.
    pub error: Option<String>,
}

/// Makes Meta's verification request: `GET url?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`.
pub async fn verify(state: &Sandbox, url: &str, verify_token: &str) -> Verification {
    let challenge =
        format!("{}", crate::rng::hash(state.data.seed, &[0xC4A1, state.now_ms()]) % 1_000_000_000);
    let request = state.outbox.http().get(url).query(&[
        ("hub.mode", "subscribe"),
        ("hub.challenge", challenge.as_str()),
        ("hub.verify_token", verify_token),
    ]);
    let mut out = Verification {
        url: url.to_owned(),
        challenge: challenge.clone(),
        status: None,
        body: None,
        verified: false,
        error: None,
    };
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            out.verified = status == 200 && body.trim() == challenge;
            out.status = Some(status);
            out.body = Some(body.chars().take(1024).collect());
        }
        Err(e) => out.error = Some(e.without_url().to_string()),
    }
    out
}
