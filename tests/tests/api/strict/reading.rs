//! Reading as Instagram really answers: commenters under ids scoped to each owner (the owner's
//! own replies too), posts that vanish mid-sync, comments without `from`, nested reply pages
//! without `next`, throttling with each of Meta's codes.

use instacrush::{
    crush::{self, PageRequest},
    instagram::ErrorKind,
    sync::SyncError,
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use sea_orm::ConnectionTrait as _;
use serde_json::json;

use super::{current_crush, knobs, sandbox, sandbox_account, scalar, sync, texts};

on_both_backends!(
    the_owner_is_left_out_by_username_under_a_scoped_id,
    each_owner_has_its_own_commenters,
    a_post_vanishing_mid_sync_is_dropped_and_the_sync_goes_on,
    comments_without_from_count_by_username_or_as_unattributed,
    the_crush_says_how_many_comments_named_nobody,
    long_reply_threads_are_read_through_the_replies_edge,
    every_throttling_code_defers_the_sync,
);

async fn the_owner_is_left_out_by_username_under_a_scoped_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ben = sandbox_account(&app, "ben.demo").await;
    // Strict: the owner's own replies carry their username under an id that is not theirs.
    assert_ne!(ben["owner_from_id"], ben["user_id"], "{ben}");
    let report = sync(&app, "ben.demo").await.unwrap();
    let own = texts(
        &app,
        "SELECT ig_id FROM instagram_users WHERE scope_id = $1 AND username = 'ben.demo'",
        vec![report.owner_id.into()],
    )
    .await;
    assert_eq!(own, vec![ben["owner_from_id"].as_str().map(str::to_owned)], "ben's replies are stored");
    // ben.demo replies more than anyone: counting the owner would crown the owner.
    assert_eq!(
        current_crush(&app, report.owner_id).await.as_deref(),
        ben["expected_crush"]["username"].as_str()
    );
    let everyone = crush::top_interactors(&app.db, report.owner_id, 100, PageRequest::new(100, 0).unwrap())
        .await
        .unwrap();
    assert!(everyone.items.iter().all(|i| i.username != "ben.demo"), "the owner is not their own fan");
    let posts =
        crush::top_posts(&app.db, report.owner_id, 100, PageRequest::new(100, 0).unwrap()).await.unwrap();
    let counted: i64 = posts.items.iter().map(|p| p.interactions_count).sum();
    assert_eq!(counted, ben["interactions"].as_i64().unwrap(), "top posts leave the owner out too");
}

async fn each_owner_has_its_own_commenters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fan =
        sandbox_account(&app, "ada.demo").await["expected_crush"]["username"].as_str().unwrap().to_owned();
    // The same person comments under cleo's posts as well.
    let added =
        sandbox(&app, "POST", "/_sandbox/accounts/cleo.demo/comments", Some(json!({ "author": fan }))).await;
    let on_cleo = added["comments"][0]["from"]["id"].as_str().unwrap().to_owned();
    let ada = sync(&app, "ada.demo").await.unwrap();
    let cleo = sync(&app, "cleo.demo").await.unwrap();
    let ids = |owner: i64| {
        let app = &app;
        let fan = fan.clone();
        async move {
            texts(
                app,
                "SELECT ig_id FROM instagram_users WHERE scope_id = $1 AND username = $2",
                vec![owner.into(), fan.into()],
            )
            .await
        }
    };
    let (under_ada, under_cleo) = (ids(ada.owner_id).await, ids(cleo.owner_id).await);
    assert_eq!(under_cleo, vec![Some(on_cleo.clone())]);
    assert_eq!(under_ada.len(), 1);
    assert_ne!(
        under_ada[0], under_cleo[0],
        "Instagram shows one person under a different id to each account"
    );
    let rows =
        scalar(&app, "SELECT COUNT(*) FROM instagram_users WHERE username = $1", vec![fan.clone().into()])
            .await;
    assert_eq!(rows, 2, "one commenter per owner");
    // Each owner's listing of that person names the id that owner sees.
    let page = crush::interactor_comments(&app.db, cleo.owner_id, &on_cleo, PageRequest::new(10, 0).unwrap())
        .await
        .unwrap()
        .expect("the fan commented on cleo's posts");
    assert_eq!(page.interactor.username, fan);
    assert!(
        page.items.iter().any(|c| c.text == added["comments"][0]["text"]),
        "the comment added under cleo's post"
    );
    let elsewhere =
        crush::interactor_comments(&app.db, ada.owner_id, &on_cleo, PageRequest::new(10, 0).unwrap())
            .await
            .unwrap();
    assert!(elsewhere.is_none(), "cleo's id for the fan means nothing under ada's posts");
}

async fn a_post_vanishing_mid_sync_is_dropped_and_the_sync_goes_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = sync(&app, "eve.demo").await.unwrap();
    let newest = texts(
        &app,
        "SELECT ig_id FROM instagram_media WHERE owner_id = $1 ORDER BY posted_at DESC LIMIT 1",
        vec![first.owner_id.into()],
    )
    .await
    .remove(0)
    .unwrap();
    // Deleted after the post list is read and before its comments are.
    sandbox(&app, "DELETE", &format!("/_sandbox/media/{newest}?still_listed=true"), None).await;
    // Its comment count did not move, so only the periodic full reading asks for its comments.
    app.db.execute_unprepared("UPDATE instagram_users SET full_synced_at = NULL").await.unwrap();
    let report = sync(&app, "eve.demo").await.expect("one vanished post does not fail the sync");
    let left =
        scalar(&app, "SELECT COUNT(*) FROM instagram_media WHERE ig_id = $1", vec![newest.into()]).await;
    assert_eq!(left, 0, "the vanished post is swept with its comments");
    let eve = sandbox_account(&app, "eve.demo").await;
    assert_eq!(
        current_crush(&app, report.owner_id).await.as_deref(),
        eve["expected_crush"]["username"].as_str()
    );
    let crush = report.crush.unwrap();
    assert_eq!(crush.comments, eve["expected_crush"]["interactions"].as_i64().unwrap());
    let sum = counted_interactions(&app, report.owner_id).await;
    assert_eq!(sum, eve["interactions"].as_i64().unwrap(), "the vanished post's comments count no more");
}

async fn comments_without_from_count_by_username_or_as_unattributed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut unattributed = 0;
    for username in ["ada.demo", "ben.demo", "cleo.demo", "eve.demo"] {
        let account = sandbox_account(&app, username).await;
        let report = sync(&app, username).await.unwrap();
        // Comments with only `username` count for that person: nobody's interactions are lost.
        let sum = counted_interactions(&app, report.owner_id).await;
        assert_eq!(sum, account["interactions"].as_i64().unwrap(), "{username}");
        let everyone =
            crush::top_interactors(&app.db, report.owner_id, 100, PageRequest::new(100, 0).unwrap())
                .await
                .unwrap();
        let expected = &account["top_interactors"];
        for (got, want) in everyone.items.iter().zip(expected.as_array().unwrap()) {
            assert_eq!(got.username, want["username"], "{username}");
            assert_eq!(got.comments_count, want["interactions"].as_i64().unwrap(), "{username}");
        }
        // What names nobody is counted, not dropped.
        let stored = scalar(
            &app,
            "SELECT unattributed_comments FROM instagram_users WHERE id = $1",
            vec![report.owner_id.into()],
        )
        .await;
        assert_eq!(stored, account["unattributed"].as_i64().unwrap(), "{username}");
        unattributed += stored;
    }
    assert!(unattributed > 0, "strict mode withholds some authors entirely");
}

async fn long_reply_threads_are_read_through_the_replies_edge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    let eve = sandbox_account(&app, "eve.demo").await;
    let report = sync(&app, "eve.demo").await.unwrap();
    // The 60-reply thread's nested page has no `next`: only `/{comment-id}/replies` reads it all.
    let calls = sandbox(&app, "GET", "/_sandbox/calls", None).await;
    assert!(calls["by_endpoint"]["GET /{comment-id}/replies"].as_u64().unwrap_or(0) > 0, "{calls}");
    let crush = report.crush.unwrap();
    assert_eq!(crush.comments, eve["expected_crush"]["interactions"].as_i64().unwrap());
    let sum = counted_interactions(&app, report.owner_id).await;
    assert_eq!(sum, eve["interactions"].as_i64().unwrap(), "every reply is read");
}

async fn every_throttling_code_defers_the_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for code in [4, 17, 32, 613, 80002] {
        sandbox(&app, "DELETE", "/_sandbox/knobs", None).await;
        knobs(&app, json!({ "throttle_after": 2, "throttle_codes": [code] })).await;
        match sync(&app, "ada.demo").await {
            Err(SyncError::Instagram(err)) => {
                assert!(matches!(err.kind(), ErrorKind::Throttled { .. }), "code {code}: {err}");
                assert_eq!(err.api_error().and_then(|e| e.code), Some(code), "code {code}");
            }
            other => panic!("code {code}: {other:?}"),
        }
    }
    sandbox(&app, "DELETE", "/_sandbox/knobs", None).await;
    sync(&app, "ada.demo").await.expect("the limit lifted, the sync goes through");
}

async fn the_crush_says_how_many_comments_named_nobody(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut withheld = None;
    for username in ["ada.demo", "cleo.demo", "eve.demo", "ben.demo"] {
        let account = sandbox_account(&app, username).await;
        if account["unattributed"].as_i64().unwrap() > 0 {
            withheld = Some(account);
            break;
        }
    }
    let account = withheld.expect("a demo account with comments that name nobody");
    let browser = app.sign_in(account["username"].as_str().unwrap()).await;
    browser.get("/api/crush").await;
    app.run_pending_jobs().await;
    let crush: serde_json::Value = browser.get("/api/crush").await.json().await.unwrap();
    assert_eq!(crush["resource"], "my_crush", "{crush}");
    assert_eq!(crush["unattributed_comments"], account["unattributed"], "{crush}");
    assert_eq!(crush["crush"]["crush"]["username"], account["expected_crush"]["username"]);
}

/// The comments counted for all of `owner_id`'s interactors (its first hundred).
async fn counted_interactions(app: &TestApp, owner_id: i64) -> i64 {
    let everyone =
        crush::top_interactors(&app.db, owner_id, 100, PageRequest::new(100, 0).unwrap()).await.unwrap();
    everyone.items.iter().map(|i| i.comments_count).sum()
}
