//! Strict mode's reading rules, read over raw HTTP: commenter ids scoped per account (the
//! owner's own replies included), an app-scoped `/me` id, withheld authors, nested reply pages
//! without `next`, unversioned paths; and every demo account's expected crush still right when
//! comments are attributed by username.

use std::collections::{HashMap, HashSet};

use instacrush::instagram::AccessToken;
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::{accounts, admin, all_pages, graph, lenient, mint, start, strict};

const FIELDS: &str = "id,timestamp,username,from{id,username}";

/// Every comment of a post with every reply, the nested page and `/replies` both read.
struct Thread {
    comment: Value,
    nested: Value,
    replies: Vec<Value>,
}

async fn threads(sandbox: &SandboxHandle, token: &AccessToken, media_id: &str) -> Vec<Thread> {
    let base = sandbox.base_url();
    let t = token.expose();
    let first = format!(
        "{base}/v26.0/{media_id}/comments?fields={FIELDS},replies{{{FIELDS}}}&limit=50&access_token={t}"
    );
    let mut out = Vec::new();
    for comment in all_pages(first).await {
        let id = comment["id"].as_str().unwrap().to_owned();
        let replies = all_pages(format!("{base}/v26.0/{id}/replies?fields={FIELDS}&access_token={t}")).await;
        out.push(Thread { nested: comment["replies"].clone(), comment, replies });
    }
    out
}

async fn media_ids(sandbox: &SandboxHandle, token: &AccessToken) -> Vec<(String, u64)> {
    let first = format!(
        "{}/v26.0/me/media?fields=id,comments_count&limit=100&access_token={}",
        sandbox.base_url(),
        token.expose()
    );
    all_pages(first)
        .await
        .iter()
        .map(|m| (m["id"].as_str().unwrap().to_owned(), m["comments_count"].as_u64().unwrap()))
        .collect()
}

#[derive(Default)]
struct Tally {
    interactions: u64,
    posts: HashSet<String>,
    latest: String,
    from_ids: HashSet<String>,
}

/// What reading one account by the strict rules gives.
#[derive(Default)]
struct Read {
    tallies: HashMap<String, Tally>,
    unattributed: u64,
    username_only: u64,
    owner_ids: HashSet<String>,
    nested_next_links: u64,
}

impl Read {
    fn add(&mut self, item: &Value, post: &str, owner: &str) {
        let username = item["from"]["username"].as_str().or(item["username"].as_str());
        let Some(username) = username else {
            self.unattributed += 1;
            return;
        };
        if item["from"].is_null() {
            self.username_only += 1;
        }
        if username == owner {
            self.owner_ids.insert(item["from"]["id"].as_str().unwrap_or_default().to_owned());
            return;
        }
        let t = self.tallies.entry(username.to_owned()).or_default();
        t.interactions += 1;
        t.posts.insert(post.to_owned());
        t.latest = t.latest.clone().max(item["timestamp"].as_str().unwrap().to_owned());
        if let Some(id) = item["from"]["id"].as_str() {
            t.from_ids.insert(id.to_owned());
        }
    }

    /// The crush by the app's rule, with commenters known by username.
    fn crush(&self) -> Option<&str> {
        self.tallies
            .iter()
            .max_by(|(_, a), (_, b)| {
                (a.interactions, a.posts.len(), &a.latest).cmp(&(b.interactions, b.posts.len(), &b.latest))
            })
            .map(|(name, _)| name.as_str())
    }
}

async fn read_strictly(sandbox: &SandboxHandle, username: &str) -> Read {
    let token = mint(sandbox, username).await;
    let mut read = Read::default();
    for (media_id, comments_count) in media_ids(sandbox, &token).await {
        let mut total = 0;
        for thread in threads(sandbox, &token, &media_id).await {
            assert!(thread.replies.len() >= thread.nested["data"].as_array().map_or(0, Vec::len));
            read.nested_next_links += u64::from(thread.nested["paging"]["next"].is_string());
            read.add(&thread.comment, &media_id, username);
            for reply in &thread.replies {
                read.add(reply, &media_id, username);
            }
            total += 1 + thread.replies.len() as u64;
        }
        assert_eq!(total, comments_count, "{username} {media_id}");
    }
    read
}

#[tokio::test]
async fn strict_mode_every_demo_account_read_by_username_matches_its_expected_crush() {
    let sandbox = start(SandboxConfig { page_size: 4, ..strict() }).await;
    let listed = accounts(&sandbox).await;
    let mut seen_under: HashMap<String, HashSet<String>> = HashMap::new();
    let (mut unattributed, mut username_only) = (0, 0);
    for username in instagram_sandbox::demo_usernames() {
        let expected = &listed[username];
        let read = read_strictly(&sandbox, username).await;
        assert_eq!(read.crush(), expected["expected_crush"]["username"].as_str(), "{username}");
        let interactions: u64 = read.tallies.values().map(|t| t.interactions).sum();
        assert_eq!(interactions, expected["interactions"].as_u64().unwrap(), "{username}");
        assert_eq!(read.unattributed, expected["unattributed"].as_u64().unwrap(), "{username}");
        assert_eq!(read.nested_next_links, 0, "{username}: a nested replies page had a next link");
        for id in &read.owner_ids {
            assert_ne!(
                id,
                expected["user_id"].as_str().unwrap(),
                "{username}: the owner's reply carries user_id"
            );
            assert_eq!(id, expected["owner_from_id"].as_str().unwrap());
        }
        for (name, tally) in &read.tallies {
            assert!(tally.from_ids.len() <= 1, "{username}: {name} under several ids");
            seen_under.entry(name.clone()).or_default().extend(tally.from_ids.iter().cloned());
        }
        (unattributed, username_only) =
            (unattributed + read.unattributed, username_only + read.username_only);
    }
    assert!(!listed["ben.demo"]["owner_from_id"].is_null());
    assert!(
        unattributed > 0 && username_only > 0,
        "{unattributed} unattributed, {username_only} by username only"
    );
    let across = seen_under.values().filter(|ids| ids.len() > 1).count();
    assert!(across > 0, "no commenter appears under two accounts with two ids");
}

#[tokio::test]
async fn lenient_mode_shows_every_author_with_their_user_id() {
    let sandbox = start(SandboxConfig { page_size: 4, ..lenient() }).await;
    let listed = accounts(&sandbox).await;
    let token = mint(&sandbox, "ben.demo").await;
    let mut owner_replies = 0;
    for (media_id, _) in media_ids(&sandbox, &token).await {
        for thread in threads(&sandbox, &token, &media_id).await {
            for item in std::iter::once(&thread.comment).chain(&thread.replies) {
                assert!(item["from"]["id"].is_string(), "{item}");
                if item["from"]["username"] == "ben.demo" {
                    assert_eq!(item["from"]["id"], listed["ben.demo"]["user_id"]);
                    owner_replies += 1;
                }
            }
        }
    }
    assert!(owner_replies > 0);
    let crush = &listed["ben.demo"]["expected_crush"];
    assert_eq!(crush["from_id"], crush["user_id"]);
    assert_eq!(listed["ben.demo"]["unattributed"], 0);
}

#[tokio::test]
async fn the_same_person_shows_a_different_id_under_each_owner_never_their_own_user_id() {
    for (config, scoped) in [(strict(), true), (lenient(), false)] {
        let sandbox = start(config).await;
        for host in ["ben.demo", "cleo.demo"] {
            let body = json!({ "author": "ada.demo", "text": "hello from ada" });
            let (status, added) =
                admin(&sandbox, "POST", &format!("/_sandbox/accounts/{host}/comments"), Some(body)).await;
            assert_eq!(status, 201, "{added}");
        }
        let ada = mint(&sandbox, "ada.demo").await;
        let (_, _, me) = graph(&sandbox, &ada, "/v26.0/me?fields=id,user_id,username").await;
        assert_ne!(me["id"], me["user_id"]);
        let mut ids = Vec::new();
        for host in ["ben.demo", "cleo.demo"] {
            let token = mint(&sandbox, host).await;
            let (newest, _) = media_ids(&sandbox, &token).await.remove(0);
            let comments = threads(&sandbox, &token, &newest).await;
            let mine = comments.iter().find(|t| t.comment["from"]["username"] == "ada.demo").unwrap();
            ids.push(mine.comment["from"]["id"].as_str().unwrap().to_owned());
        }
        if scoped {
            assert_ne!(ids[0], ids[1]);
            assert!(ids.iter().all(|id| me["user_id"] != *id && me["id"] != *id), "{ids:?} {me}");
        } else {
            assert!(ids.iter().all(|id| me["user_id"] == *id), "{ids:?} {me}");
        }
    }
}

/// The comment of eve's 60-reply thread, and its nested replies page.
async fn long_thread(sandbox: &SandboxHandle) -> (AccessToken, Thread) {
    let token = mint(sandbox, "eve.demo").await;
    let (newest, _) = media_ids(sandbox, &token).await.remove(0);
    let thread = threads(sandbox, &token, &newest).await.into_iter().max_by_key(|t| t.replies.len()).unwrap();
    (token, thread)
}

#[tokio::test]
async fn a_long_thread_is_read_to_the_end_only_through_replies_in_strict_mode() {
    let sandbox = start(strict()).await;
    let (_, thread) = long_thread(&sandbox).await;
    assert!(thread.replies.len() >= 60, "{}", thread.replies.len());
    assert_eq!(thread.nested["data"].as_array().unwrap().len(), 25);
    assert!(thread.nested["paging"]["next"].is_null(), "{}", thread.nested["paging"]);

    let sandbox = start(lenient()).await;
    let (_, thread) = long_thread(&sandbox).await;
    let next = thread.nested["paging"]["next"].as_str().unwrap().to_owned();
    assert_eq!(all_pages(next).await.len() + 25, thread.replies.len());
}

#[tokio::test]
async fn unversioned_paths_are_served_as_the_oldest_version() {
    let sandbox = start(SandboxConfig { page_size: 5, ..strict() }).await;
    let token = mint(&sandbox, "ada.demo").await;
    let (status, _, me) = graph(&sandbox, &token, "/me?fields=username").await;
    assert_eq!((status, me["username"].as_str()), (200, Some("ada.demo")));
    let (status, _, media) = graph(&sandbox, &token, "/me/media").await;
    assert_eq!(status, 200);
    let next = media["paging"]["next"].as_str().unwrap();
    assert!(next.contains(&format!("/{}/me/media?", instagram_sandbox::OLDEST_VERSION)), "{next}");
    let post = media["data"][0]["id"].as_str().unwrap();
    let (status, _, comments) = graph(&sandbox, &token, &format!("/{post}/comments")).await;
    assert_eq!(status, 200, "{comments}");
    let (status, _, error) = graph(&sandbox, &token, "/v26/me").await;
    assert_eq!((status, error["error"]["code"].as_i64()), (400, Some(2500)));
}
