//! Posts deleted while the app reads: one gone from the listing, one deleted between listing
//! and reading its comments (error 100, subcode 33); both leave the expected crush.

use instagram_sandbox::SandboxConfig;
use serde_json::Value;

use super::{accounts, admin, all_pages, graph, lenient, mint, start, strict};

#[tokio::test]
async fn a_post_deleted_after_listing_answers_100_33_and_leaves_the_expected_crush() {
    for config in [strict(), lenient()] {
        let sandbox = start(SandboxConfig { page_size: 5, ..config }).await;
        let token = mint(&sandbox, "ada.demo").await;
        let first = format!(
            "{}/v26.0/me/media?fields=id,comments_count&access_token={}",
            sandbox.base_url(),
            token.expose()
        );
        let media = all_pages(first.clone()).await;
        let doomed = media.iter().find(|m| m["comments_count"].as_u64().unwrap() > 0).unwrap().clone();
        let id = doomed["id"].as_str().unwrap();
        let before = accounts(&sandbox).await["ada.demo"]["interactions"].as_u64().unwrap();

        let (status, _) =
            admin(&sandbox, "DELETE", &format!("/_sandbox/media/{id}?still_listed=true"), None).await;
        assert_eq!(status, 204);
        assert!(all_pages(first.clone()).await.iter().any(|m| m["id"] == id), "no longer listed");
        for path in [format!("/v26.0/{id}/comments"), format!("/v26.0/{id}")] {
            let (status, _, body) = graph(&sandbox, &token, &path).await;
            let error = &body["error"];
            assert_eq!(
                (status, error["code"].as_i64(), error["error_subcode"].as_i64()),
                (400, Some(100), Some(33)),
                "{body}"
            );
        }
        let listed: Value = accounts(&sandbox).await["ada.demo"].clone();
        assert!(listed["interactions"].as_u64().unwrap() < before);
        assert_eq!(listed["media_count"].as_u64(), Some(media.len() as u64));

        let gone = media[1]["id"].as_str().unwrap();
        assert_eq!(admin(&sandbox, "DELETE", &format!("/_sandbox/media/{gone}"), None).await.0, 204);
        let now = all_pages(first.clone()).await;
        assert_eq!(now.len(), media.len() - 1);
        assert!(now.iter().all(|m| m["id"] != gone));
        let (_, _, me) = graph(&sandbox, &token, "/v26.0/me?fields=media_count").await;
        assert_eq!(me["media_count"].as_u64(), Some(media.len() as u64 - 1));

        assert_eq!(admin(&sandbox, "DELETE", "/_sandbox/changes", None).await.0, 204);
        assert_eq!(all_pages(first).await.len(), media.len());
        assert_eq!(accounts(&sandbox).await["ada.demo"]["interactions"].as_u64(), Some(before));
    }
}
