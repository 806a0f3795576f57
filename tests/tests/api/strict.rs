//! The app against the strict sandbox (Instagram as Meta documents it): one test per rule
//! proving the app handles it. Helpers shared by the rule groups live here.

mod grants;
mod identity;
mod reading;
mod upgrade;

use instacrush::{
    instagram::AccessToken,
    sync::{SyncError, SyncReport, SyncSettings, sync_account},
};
use instacrush_tests::TestApp;
use sea_orm::{ConnectionTrait as _, Statement, Value as DbValue};
use serde_json::Value;

/// A long-lived token for `username`, minted by the sandbox (with every permission, or `scopes`).
async fn token(app: &TestApp, username: &str, scopes: Option<&str>) -> AccessToken {
    let mut url = format!("{}/_sandbox/accounts/{username}/token", app.sandbox_url);
    if let Some(scopes) = scopes {
        url.push_str(&format!("?scopes={scopes}"));
    }
    let body: Value = app.client.post(url).send().await.unwrap().json().await.unwrap();
    AccessToken::new(body["access_token"].as_str().expect("a token"))
}

/// Syncs `username` directly (no job).
async fn sync(app: &TestApp, username: &str) -> Result<SyncReport, SyncError> {
    let token = token(app, username, None).await;
    sync_account(&app.db, &app.state.instagram, &token, &SyncSettings::default(), &()).await
}

/// The sandbox's listing of `username`: its ids, expected crush, interactions, unattributed.
async fn sandbox_account(app: &TestApp, username: &str) -> Value {
    let body = sandbox(app, "GET", "/_sandbox/accounts", None).await;
    body["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap().clone()
}

/// A call to the sandbox's admin API; returns its JSON answer.
async fn sandbox(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", app.sandbox_url);
    let mut request = app.client.request(method.parse().unwrap(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{method} {path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// Sets sandbox knobs.
async fn knobs(app: &TestApp, knobs: Value) {
    sandbox(app, "PUT", "/_sandbox/knobs", Some(knobs)).await;
}

/// The first column of each row a query returns, as text (NULL as `None`).
async fn texts(app: &TestApp, sql: &str, values: Vec<DbValue>) -> Vec<Option<String>> {
    let statement = Statement::from_sql_and_values(app.db.get_database_backend(), sql, values);
    let rows = app.db.query_all_raw(statement).await.unwrap();
    rows.iter().map(|row| row.try_get_by_index::<Option<String>>(0).unwrap()).collect()
}

/// The one number a query returns.
async fn scalar(app: &TestApp, sql: &str, values: Vec<DbValue>) -> i64 {
    let statement = Statement::from_sql_and_values(app.db.get_database_backend(), sql, values);
    let row = app.db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The username of owner `owner_id`'s current crush.
async fn current_crush(app: &TestApp, owner_id: i64) -> Option<String> {
    let sql = "SELECT u.username FROM crushes c JOIN instagram_users u ON u.id = c.crush_id \
               WHERE c.owner_id = $1 AND c.is_current";
    texts(app, sql, vec![owner_id.into()]).await.into_iter().next().flatten()
}
