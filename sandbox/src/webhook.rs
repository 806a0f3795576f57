//! Webhooks to the app, as Meta sends them: comment notifications batched into
//! `{"object":"instagram","entry":[{"id","time","changes":[{"field":"comments","value"}]}]}`,
//! posted as JSON with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the app
//! secret>`, retried when the app does not answer 2xx; and the verification request
//! (`hub.mode`, `hub.verify_token`, `hub.challenge`) Meta makes when a callback URL is saved.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Weak};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::state::Sandbox;

/// How many deliveries `GET /_sandbox/webhooks` remembers.
const KEPT_DELIVERIES: usize = 1000;
/// How long one delivery attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// The wait before the second attempt; it doubles for each further one.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// One change waiting to be sent: a `value` for the `entry` of account `entry_id`.
#[derive(Debug, Clone)]
pub struct Notification {
    /// `entry.id`: the Instagram professional account's `user_id`.
    pub entry_id: String,
    /// `changes[].field`.
    pub field: &'static str,
    /// `changes[].value`.
    pub value: Value,
}

/// One webhook POST and how it went.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// Position since the last clear, from 1.
    pub id: u64,
    /// Where it was sent; `null` when no callback URL was configured.
    pub url: Option<String>,
    /// The exact body posted.
    pub body: String,
    /// The `X-Hub-Signature-256` header sent with it.
    pub signature: String,
    /// Changes in it.
    pub changes: usize,
    /// Attempts made so far.
    pub attempts: u32,
    /// The app's last HTTP status.
    pub status: Option<u16>,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
    /// Whether the app answered 2xx.
    pub delivered: bool,
}

/// Notifications waiting to be batched, and the deliveries made.
#[derive(Debug)]
pub struct Outbox {
    sender: mpsc::UnboundedSender<Notification>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Notification>>>,
    deliveries: Mutex<VecDeque<Delivery>>,
    seq: AtomicU64,
    http: reqwest::Client,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    /// An empty outbox; nothing is sent until [`start`] runs its dispatcher.
    pub fn new() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build().unwrap_or_default();
        Self {
            sender,
            receiver: Mutex::new(Some(receiver)),
            deliveries: Mutex::new(VecDeque::new()),
            seq: AtomicU64::new(0),
            http,
        }
    }

    /// Queues a notification for the next webhook POST.
    pub fn enqueue(&self, notification: Notification) {
        let _ = self.sender.send(notification);
    }

    /// The HTTP client the sandbox calls the app with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The deliveries made, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.deliveries).iter().cloned().collect()
    }

    /// Forgets the deliveries made.
    pub fn clear(&self) {
        lock(&self.deliveries).clear();
    }

    fn record(&self, mut delivery: Delivery) -> u64 {
        let id = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        delivery.id = id;
        let mut deliveries = lock(&self.deliveries);
        if deliveries.len() == KEPT_DELIVERIES {
            deliveries.pop_front();
        }
        deliveries.push_back(delivery);
        id
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Delivery)) {
        if let Some(d) = lock(&self.deliveries).iter_mut().find(|d| d.id == id) {
            f(d);
        }
    }
}

/// `sha256=<hex HMAC-SHA256 of body with secret>`, Meta's `X-Hub-Signature-256`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The body of one webhook POST: the notifications grouped into one entry per account, in the
/// order they came.
pub fn payload(batch: &[Notification], time: u64) -> Value {
    let mut entries: Vec<(&str, Vec<Value>)> = Vec::new();
    for n in batch {
        let change = json!({ "field": n.field, "value": n.value });
        match entries.iter_mut().find(|(id, _)| *id == n.entry_id) {
            Some((_, changes)) => changes.push(change),
            None => entries.push((&n.entry_id, vec![change])),
        }
    }
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|(id, changes)| json!({ "id": id, "time": time, "changes": changes }))
        .collect();
    json!({ "object": "instagram", "entry": entry })
}

/// Starts the dispatcher (and the activity generator) if a Tokio runtime is running; they stop
/// when the sandbox is dropped.
pub fn start(state: &std::sync::Arc<Sandbox>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the sandbox will not send webhooks");
        return;
    };
    if let Some(receiver) = lock(&state.outbox.receiver).take() {
        runtime.spawn(dispatch(std::sync::Arc::downgrade(state), receiver));
        runtime.spawn(crate::events::run_activity(std::sync::Arc::downgrade(state)));
    }
}

/// Collects notifications into batches (up to `webhook_batch_max`, waiting at most
/// `webhook_batch_window_ms` for more) and sends each batch in the background.
async fn dispatch(state: Weak<Sandbox>, mut receiver: mpsc::UnboundedReceiver<Notification>) {
    while let Some(first) = receiver.recv().await {
        let Some(knobs) = state.upgrade().map(|s| s.knobs()) else {
            return;
        };
        let max = knobs.webhook_batch_max.max(1) as usize;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(knobs.webhook_batch_window_ms);
        let mut batch = vec![first];
        while batch.len() < max {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(next)) => batch.push(next),
                Ok(None) | Err(_) => break,
            }
        }
        let Some(sandbox) = state.upgrade() else {
            return;
        };
        let body = payload(&batch, sandbox.now_secs()).to_string();
        let delivery = Delivery {
            id: 0,
            url: knobs.webhook_url.clone(),
            signature: signature(&sandbox.config.app_secret, body.as_bytes()),
            body,
            changes: batch.len(),
            attempts: 0,
            status: None,
            error: knobs.webhook_url.is_none().then(|| "no webhook URL configured".to_owned()),
            delivered: false,
        };
        let id = sandbox.outbox.record(delivery.clone());
        if knobs.webhook_url.is_some() {
            tokio::spawn(deliver(state.clone(), id, delivery, knobs.webhook_max_attempts.max(1)));
        }
    }
}

/// Posts one batch until the app answers 2xx or the attempts run out.
async fn deliver(state: Weak<Sandbox>, id: u64, delivery: Delivery, attempts: u32) {
    let Some(url) = delivery.url.clone() else {
        return;
    };
    let mut wait = FIRST_RETRY;
    for attempt in 1..=attempts {
        let Some(http) = state.upgrade().map(|s| s.outbox.http().clone()) else {
            return;
        };
        let sent = http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("x-hub-signature-256", &delivery.signature)
            .body(delivery.body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) => (None, Some(e.without_url().to_string())),
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        let Some(sandbox) = state.upgrade() else {
            return;
        };
        sandbox.outbox.update(id, |d| {
            d.attempts = attempt;
            d.status = status;
            d.error =
                error.or_else(|| (!delivered).then(|| format!("the app answered {}", status.unwrap_or(0))));
            d.delivered = delivered;
        });
        if delivered {
            return;
        }
        drop(sandbox);
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn note(entry: &str, id: &str) -> Notification {
        Notification { entry_id: entry.into(), field: "comments", value: json!({ "id": id }) }
    }

    #[test]
    fn batches_group_changes_by_account_in_order() {
        let body = payload(&[note("1", "a"), note("2", "b"), note("1", "c")], 77);
        assert_eq!(body["object"], "instagram");
        assert_eq!(body["entry"][0]["id"], "1");
        assert_eq!(body["entry"][0]["time"], 77);
        assert_eq!(body["entry"][0]["changes"][1]["value"]["id"], "c");
        assert_eq!(body["entry"][1]["changes"][0]["field"], "comments");
    }

    #[test]
    fn the_signature_is_a_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        let sig = signature("Jefe", b"what do ya want for nothing?");
        assert_eq!(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
