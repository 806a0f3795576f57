//! The dispatcher: batches queued notifications, records each POST, and delivers it in the
//! background, retrying until the app answers 2xx or the attempts run out.

use std::sync::Weak;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{Delivery, Notification, payload, signature};
use crate::state::Sandbox;

/// The wait before the second attempt; it doubles for each further one.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// Collects notifications into batches (up to `webhook_batch_max`, waiting at most
/// `webhook_batch_window_ms` for more) and sends each batch in the background.
pub(super) async fn dispatch(state: Weak<Sandbox>, mut receiver: mpsc::UnboundedReceiver<Notification>) {
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
