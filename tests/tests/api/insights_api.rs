//! The insights endpoints over HTTP: paging is refused outside the bounds the contract gives
//! (`limit` 1 to 100, `offset` at most `i64::MAX`), on each of the three lists, and an
//! interactor's comments come with the interactor's account.

use instacrush_tests::{Backend, TestApp, auth::Browser, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(paging_outside_its_bounds_is_refused, the_comments_page_names_its_interactor);

/// `username` signed in, with a finished sync.
async fn synced(app: &TestApp, username: &str) -> Browser {
    let browser = app.sign_in(username).await;
    assert_eq!(browser.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    assert_eq!(browser.get("/api/crush").await.status(), StatusCode::OK);
    browser
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The three lists, the last one about `ada.demo`'s top interactor.
async fn lists(ada: &Browser) -> [String; 3] {
    let top = json_of(ada.get("/api/users/me/top-interactors?limit=1").await).await;
    let ig_id = top["items"][0]["ig_id"].as_str().unwrap();
    [
        "/api/users/me/top-interactors".to_owned(),
        "/api/users/me/top-posts".to_owned(),
        format!("/api/users/me/interactors/{ig_id}/comments"),
    ]
}

async fn paging_outside_its_bounds_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = synced(&app, "ada.demo").await;
    for list in lists(&ada).await {
        for (query, field) in
            [("limit=0", "limit"), ("limit=101", "limit"), ("offset=9223372036854775808", "offset")]
        {
            let refused = ada.get(&format!("{list}?{query}")).await;
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{list}?{query}");
            assert_eq!(refused.headers()["content-type"], "application/problem+json");
            let problem = json_of(refused).await;
            assert_eq!(problem["code"], "invalid_query", "{list}?{query}: {problem}");
            assert!(problem["detail"].as_str().unwrap().contains(field), "{list}?{query}: {problem}");
        }
        // The bounds themselves are accepted, and echoed.
        let edge = ada.get(&format!("{list}?limit=100&offset=9223372036854775807")).await;
        assert_eq!(edge.status(), StatusCode::OK, "{list}");
        let edge = json_of(edge).await;
        assert_eq!(
            (edge["limit"].as_u64(), edge["offset"].as_u64()),
            (Some(100), Some(i64::MAX as u64)),
            "{list}"
        );
        assert_eq!(edge["items"].as_array().unwrap().len(), 0, "{list}: nothing that far");
        let first = json_of(ada.get(&format!("{list}?limit=1")).await).await;
        assert_eq!(
            (first["limit"].as_u64(), first["items"].as_array().unwrap().len()),
            (Some(1), 1),
            "{list}"
        );
    }
}

async fn the_comments_page_names_its_interactor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = synced(&app, "ada.demo").await;
    let top = json_of(ada.get("/api/users/me/top-interactors?limit=2").await).await;
    for who in top["items"].as_array().unwrap() {
        let url = format!("/api/users/me/interactors/{}/comments?limit=1", who["ig_id"].as_str().unwrap());
        let page = ada.get(&url).await;
        assert_eq!(page.status(), StatusCode::OK, "{url}");
        let page = json_of(page).await;
        let account = page["interactor"].as_object().unwrap();
        assert_eq!((&account["ig_id"], &account["username"]), (&who["ig_id"], &who["username"]), "{page}");
        assert_eq!(account["profile_picture_url"], who["profile_picture_url"], "sent, null when unknown");
        assert_eq!(
            (page["total"].as_i64(), page["items"].as_array().unwrap().len()),
            (who["comments_count"].as_i64(), 1)
        );
    }
    let nobody = ada.get("/api/users/me/interactors/no-such-account/comments").await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_of(nobody).await["code"], "not_found");
}
