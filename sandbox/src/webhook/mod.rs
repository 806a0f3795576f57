//! Webhooks to the app, as Meta sends them: comment notifications batched into
//! `{"object":"instagram","entry":[{"id","time","changes":[{"field":"comments","value"}]}]}`,
//! posted as JSON with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the app
//! secret>`, retried when the app does not answer 2xx; and the verification request
//! (`hub.mode`, `hub.verify_token`, `hub.challenge`) Meta makes when a callback URL is saved.

mod dispatch;
mod verify;

pub use verify::verify;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
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

    pub(super) fn record(&self, mut delivery: Delivery) -> u64 {
        let id = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        delivery.id = id;
        let mut deliveries = lock(&self.deliveries);
        if deliveries.len() == KEPT_DELIVERIES {
            deliveries.pop_front();
        }
        deliveries.push_back(delivery);
        id
    }

    pub(super) fn update(&self, id: u64, f: impl FnOnce(&mut Delivery)) {
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
        runtime.spawn(dispatch::dispatch(std::sync::Arc::downgrade(state), receiver));
        runtime.spawn(crate::events::run_activity(std::sync::Arc::downgrade(state)));
    }
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
