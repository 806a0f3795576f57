//! Insights on data synced from the sandbox: the top interactors agree with the
//! sandbox's own ranking and page cleanly, top posts come most commented first,
//! and one interactor's comments are theirs, on the owner's posts.

use std::collections::HashSet;

use instacrush::{
    crush::{self, PageRequest},
    instagram::AccessToken,
    sync::{SyncReport, SyncSettings, sync_account},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

on_both_backends!(
    top_interactors_agree_with_the_sandbox,
    interactor_pages_are_disjoint_and_add_up,
    top_posts_come_most_commented_first,
    an_interactors_comments_are_theirs_on_the_owners_posts,
);

/// The sync window: the default, which covers every demo account's posts.
const WINDOW: u32 = 100;

async fn sandbox_account(app: &TestApp, username: &str) -> Value {
    let url = format!("{}/_sandbox/accounts", app.sandbox_url);
    let body: Value = app.client.get(url).send().await.unwrap().json().await.unwrap();
    body["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap().clone()
}

/// Syncs `username` from the sandbox; returns the report and the sandbox's account listing.
async fn synced(app: &TestApp, username: &str) -> (SyncReport, Value) {
    let url = format!("{}/_sandbox/accounts/{username}/token", app.sandbox_url);
    let body: Value = app.client.post(url).send().await.unwrap().json().await.unwrap();
    let token = AccessToken::new(body["access_token"].as_str().unwrap());
    let settings = SyncSettings { window_posts: WINDOW, ..SyncSettings::default() };
    let report = sync_account(&app.db, &app.state.instagram, &token, &settings, &()).await.unwrap();
    let account = sandbox_account(app, username).await;
    assert!(account["media_count"].as_u64().unwrap() <= u64::from(WINDOW), "the window covers all posts");
    (report, account)
}

async fn top_interactors_agree_with_the_sandbox(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for username in ["ada.demo", "ben.demo", "cleo.demo", "eve.demo"] {
        let (report, account) = synced(&app, username).await;
        let page = crush::top_interactors(&app.db, report.owner_id, WINDOW, PageRequest::new(5, 0).unwrap())
            .await
            .unwrap();
        assert_eq!(page.items[0].username, account["expected_crush"]["username"], "{username}'s crush");
        let expected = account["top_interactors"].as_array().unwrap();
        assert_eq!(page.items.len(), expected.len(), "{username}");
        for (got, want) in page.items.iter().zip(expected) {
            assert_eq!(got.ig_id.as_deref(), want["from_id"].as_str(), "{username}: the id the account sees");
            assert_eq!(got.username, want["username"], "{username}");
            assert_eq!(
                got.comments_count,
                want["interactions"].as_i64().unwrap(),
                "{username}: {}",
                got.username
            );
            assert_eq!(got.posts_count, want["posts"].as_i64().unwrap(), "{username}: {}", got.username);
        }
        let everyone =
            crush::top_interactors(&app.db, report.owner_id, WINDOW, PageRequest::new(100, 0).unwrap())
                .await
                .unwrap();
        assert!(everyone.items.iter().all(|i| i.username != username), "{username} is not their own fan");
        let sum: i64 = everyone.items.iter().map(|i| i.comments_count).sum();
        assert_eq!(sum, account["interactions"].as_i64().unwrap(), "{username}: all others' interactions");
    }
    let (report, _) = synced(&app, "dev.demo").await;
    let none =
        crush::top_interactors(&app.db, report.owner_id, WINDOW, PageRequest::default()).await.unwrap();
    assert_eq!((none.items.len(), none.total), (0, 0), "nobody commented on dev.demo");
}

async fn interactor_pages_are_disjoint_and_add_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (report, _) = synced(&app, "eve.demo").await;
    let (mut seen, mut ranks, mut offset) = (HashSet::new(), Vec::new(), 0);
    let total = loop {
        let page =
            crush::top_interactors(&app.db, report.owner_id, WINDOW, PageRequest::new(3, offset).unwrap())
                .await
                .unwrap();
        assert_eq!((page.limit, page.offset), (3, offset));
        if page.items.is_empty() {
            break page.total;
        }
        assert!(page.items.len() <= 3);
        for item in page.items {
            assert!(seen.insert(item.ig_id.clone()), "{} on two pages", item.username);
            ranks.push(item.rank);
        }
        offset += 3;
    };
    assert!(total > 6, "several pages: {total}");
    assert_eq!(seen.len() as u64, total, "the pages add up to the total");
    assert_eq!(ranks, (1..=total).collect::<Vec<_>>(), "ranks run on across pages");
}

async fn top_posts_come_most_commented_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (report, account) = synced(&app, "eve.demo").await;
    let page =
        crush::top_posts(&app.db, report.owner_id, WINDOW, PageRequest::new(100, 0).unwrap()).await.unwrap();
    assert_eq!(page.total, account["media_count"].as_u64().unwrap());
    assert_eq!(page.items.len() as u64, page.total);
    let counts: Vec<i64> = page.items.iter().map(|post| post.interactions_count).collect();
    assert!(counts.windows(2).all(|pair| pair[0] >= pair[1]), "most commented first: {counts:?}");
    assert!(counts[0] > *counts.last().unwrap(), "the order is not vacuous: {counts:?}");
    for post in &page.items {
        assert_eq!(post.interactions_count, post.comments_count + post.replies_count, "{}", post.ig_id);
        assert!(post.permalink.is_some() && (post.media_url.is_some() || post.thumbnail_url.is_some()));
    }
    assert_eq!(counts.iter().sum::<i64>(), account["interactions"].as_i64().unwrap(), "others' interactions");
    let second =
        crush::top_posts(&app.db, report.owner_id, WINDOW, PageRequest::new(2, 2).unwrap()).await.unwrap();
    assert_eq!(second.items, page.items[2..4], "pages are slices of the whole list");
}

async fn scalar_text(app: &TestApp, sql: &str, value: &str) -> Option<String> {
    let statement = Statement::from_sql_and_values(app.db.get_database_backend(), sql, [value.into()]);
    let row = app.db.query_one_raw(statement).await.unwrap();
    row.map(|row| row.try_get_by_index::<String>(0).unwrap())
}

async fn an_interactors_comments_are_theirs_on_the_owners_posts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (report, account) = synced(&app, "ada.demo").await;
    let crush = &account["expected_crush"];
    // The id the owner sees for the crush: Instagram-scoped, not the crush's own user id.
    let ig_id = crush["from_id"].as_str().unwrap();
    let page = crush::interactor_comments(&app.db, report.owner_id, ig_id, PageRequest::new(100, 0).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.interactor.ig_id, ig_id);
    assert_eq!(page.interactor.username, crush["username"].as_str().unwrap(), "the page names its account");
    assert_eq!(
        page.total,
        crush["interactions"].as_u64().unwrap(),
        "all of the crush's comments and replies"
    );
    assert_eq!(page.items.len() as u64, page.total);
    let posts: HashSet<&str> = page.items.iter().map(|item| item.post.ig_id.as_str()).collect();
    assert_eq!(posts.len() as u64, crush["posts"].as_u64().unwrap());
    let author = "SELECT u.ig_id FROM instagram_interactions i JOIN instagram_users u ON u.id = i.author_id \
                  WHERE i.ig_comment_id = $1";
    let owner = "SELECT u.ig_id FROM instagram_media m JOIN instagram_users u ON u.id = m.owner_id WHERE m.ig_id = $1";
    for item in &page.items {
        assert_eq!(scalar_text(&app, author, &item.ig_comment_id).await.as_deref(), Some(ig_id));
        assert_eq!(
            scalar_text(&app, owner, &item.post.ig_id).await,
            account["user_id"].as_str().map(str::to_owned)
        );
    }
    let times: Vec<_> = page.items.iter().map(|item| item.commented_at).collect();
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "newest first");
    let first = crush::interactor_comments(&app.db, report.owner_id, ig_id, PageRequest::new(2, 0).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.items, page.items[..2]);
    // The owner, by their user id or by the scoped id their own replies carry, is nobody's fan.
    let owner_ids = [account["user_id"].as_str().unwrap(), account["owner_from_id"].as_str().unwrap()];
    for nobody in [owner_ids[0], owner_ids[1], "no-such-account"] {
        let none = crush::interactor_comments(&app.db, report.owner_id, nobody, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(none, None, "{nobody} has no comments on ada.demo's posts");
    }
}
