//! Paged reads that follow Meta's cursors to the end: the user's media, and the comments of a
//! post with their replies (nested reply pages are followed when they link to a next page; a
//! nested page without `next` leaves its cursor, and [`InstagramClient::replies_after`] reads
//! the rest). Each page is one call.
//! `next_page` may be called again after an error to retry the same page.

use std::future::Future;
use std::marker::PhantomData;

use futures::Stream;
use url::Url;

use super::client::InstagramClient;
use super::error::InstagramError;
use super::model::{Comment, Media, Page, RawComment, Reply};
use super::token::AccessToken;

/// Fields read for each post.
pub const MEDIA_FIELDS: &str =
    "id,caption,media_type,media_url,permalink,thumbnail_url,timestamp,like_count,comments_count";
/// Fields read for each reply.
pub const REPLY_FIELDS: &str = "id,text,timestamp,username,from{id,username}";
/// Fields read for each comment, with its first page of replies.
pub const COMMENT_FIELDS: &str =
    "id,text,timestamp,username,from{id,username},replies{id,text,timestamp,username,from{id,username}}";
/// Comments asked for per page (Meta may send fewer).
pub const COMMENTS_PAGE_SIZE: u32 = 50;

const MEDIA: &str = "GET /me/media";
const COMMENTS: &str = "GET /{media-id}/comments";
const REPLIES: &str = "GET /{comment-id}/replies";

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Media {}
    impl Sealed for super::Comment {}
}

/// Something that comes in pages: [`Media`] or [`Comment`].
pub trait PageItem: sealed::Sealed + Sized + Send + 'static {
    /// Fetches the page at `url`; returns its items and the next page's URL.
    fn fetch(
        client: &InstagramClient,
        token: &AccessToken,
        url: Url,
    ) -> impl Future<Output = Result<(Vec<Self>, Option<Url>), InstagramError>> + Send;
}

/// A cursor over the pages of one collection.
#[derive(Debug)]
pub struct Pages<T> {
    client: InstagramClient,
    token: AccessToken,
    next: Option<Url>,
    pages: u32,
    _items: PhantomData<fn() -> T>,
}

impl<T: PageItem> Pages<T> {
    fn new(client: &InstagramClient, token: &AccessToken, first: Url) -> Self {
        Self {
            client: client.clone(),
            token: token.clone(),
            next: Some(first),
            pages: 0,
            _items: PhantomData,
        }
    }

    /// The next page, `None` after the last. After an error the same page is tried again on
    /// the next call.
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>, InstagramError>> {
        let url = self.next.clone()?;
        match T::fetch(&self.client, &self.token, url).await {
            Ok((items, next)) => {
                self.next = next;
                self.pages += 1;
                Some(Ok(items))
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// The cursor of the next page (its `after`), `None` after the last: what a reader
    /// keeps to resume later with [`InstagramClient::comments_after`]. (Not the link itself,
    /// which may carry the access token.)
    pub fn next_cursor(&self) -> Option<String> {
        let next = self.next.as_ref()?;
        next.query_pairs().find(|(key, _)| key == "after").map(|(_, value)| value.into_owned())
    }

    /// Whether there is a page after the last one fetched.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// Every remaining item, or the first error.
    pub async fn collect_all(mut self) -> Result<Vec<T>, InstagramError> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await {
            all.extend(page?);
        }
        Ok(all)
    }

    /// The pages as a stream, which ends after the last page or after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<Vec<T>, InstagramError>> + Send + 'static {
        futures::stream::unfold(Some(self), |state| async move {
            let mut pages = state?;
            match pages.next_page().await? {
                Ok(items) => Some((Ok(items), Some(pages))),
                Err(e) => Some((Err(e), None)),
            }
        })
    }
}

impl InstagramClient {
    /// The user's posts, newest first, `limit` per page.
    pub fn media_pages(&self, token: &AccessToken, limit: u32) -> Pages<Media> {
        let mut url = self.graph_path(&["me", "media"], true);
        url.query_pairs_mut()
            .append_pair("fields", MEDIA_FIELDS)
            .append_pair("limit", &limit.clamp(1, 100).to_string());
        Pages::new(self, token, url)
    }

    /// The comments of a post, each with all its replies.
    pub fn comments(&self, token: &AccessToken, media_id: &str) -> Pages<Comment> {
        let mut url = self.graph_path(&[media_id, "comments"], true);
        url.query_pairs_mut()
            .append_pair("fields", COMMENT_FIELDS)
            .append_pair("limit", &COMMENTS_PAGE_SIZE.to_string());
        Pages::new(self, token, url)
    }

    /// The comments of a post from the page after cursor `after` on (see
    /// [`Pages::next_cursor`]): a read resumed where it stopped.
    pub fn comments_after(&self, token: &AccessToken, media_id: &str, after: &str) -> Pages<Comment> {
        let mut url = self.graph_path(&[media_id, "comments"], true);
        url.query_pairs_mut()
            .append_pair("fields", COMMENT_FIELDS)
            .append_pair("limit", &COMMENTS_PAGE_SIZE.to_string())
            .append_pair("after", after);
        Pages::new(self, token, url)
    }

    /// The replies of comment `comment_id` after the cursor `after`, to the end.
    pub async fn replies_after(
        &self,
        token: &AccessToken,
        comment_id: &str,
        after: &str,
    ) -> Result<Vec<Reply>, InstagramError> {
        let mut url = self.graph_path(&[comment_id, "replies"], true);
        url.query_pairs_mut()
            .append_pair("fields", REPLY_FIELDS)
            .append_pair("limit", &COMMENTS_PAGE_SIZE.to_string())
            .append_pair("after", after);
        let mut replies = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            let (page, more) = self.page::<Reply>(REPLIES, token, url).await?;
            replies.extend(page);
            next = more;
        }
        Ok(replies)
    }

    /// Fetches one page at `url` with `token` (replacing any token the link carries).
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &'static str,
        token: &AccessToken,
        url: Url,
    ) -> Result<(Vec<T>, Option<Url>), InstagramError> {
        let url = self.with_token(endpoint, url, token)?;
        let request = self.http().get(url);
        let page: Page<T> = self.call(endpoint, request, &[token.expose()]).await?;
        let next = page.next().map(|n| self.parse_link(endpoint, n)).transpose()?;
        let data = page.data;
        Ok((data, next))
    }

    fn parse_link(&self, endpoint: &'static str, link: &str) -> Result<Url, InstagramError> {
        let url = Url::parse(link).map_err(|e| InstagramError::Decode {
            endpoint,
            status: 200,
            reason: format!("paging.next is not a URL: {e}"),
            snippet: String::new(),
        })?;
        if !self.is_graph_origin(&url) {
            return Err(InstagramError::UntrustedLink {
                endpoint,
                origin: url.origin().ascii_serialization(),
            });
        }
        Ok(url)
    }

    /// Puts exactly one `access_token` on a Graph URL, refusing any other origin.
    fn with_token(
        &self,
        endpoint: &'static str,
        mut url: Url,
        token: &AccessToken,
    ) -> Result<Url, InstagramError> {
        if !self.is_graph_origin(&url) {
            return Err(InstagramError::UntrustedLink {
                endpoint,
                origin: url.origin().ascii_serialization(),
            });
        }
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "access_token")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(kept).append_pair("access_token", token.expose());
        Ok(url)
    }
}

impl PageItem for Media {
    async fn fetch(
        client: &InstagramClient,
        token: &AccessToken,
        url: Url,
    ) -> Result<(Vec<Self>, Option<Url>), InstagramError> {
        client.page(MEDIA, token, url).await
    }
}

impl PageItem for Comment {
    async fn fetch(
        client: &InstagramClient,
        token: &AccessToken,
        url: Url,
    ) -> Result<(Vec<Self>, Option<Url>), InstagramError> {
        let (raw, next) = client.page::<RawComment>(COMMENTS, token, url).await?;
        let mut comments = Vec::with_capacity(raw.len());
        for c in raw {
            let (mut replies, mut more, replies_after) = match c.replies {
                Some(page) => {
                    let more = page.next().map(|n| client.parse_link(COMMENTS, n)).transpose()?;
                    let after = match more {
                        None if !page.data.is_empty() => page.after().map(str::to_owned),
                        _ => None,
                    };
                    (page.data, more, after)
                }
                None => (Vec::new(), None, None),
            };
            while let Some(url) = more.take() {
                let (page, next) = client.page::<Reply>(REPLIES, token, url).await?;
                replies.extend(page);
                more = next;
            }
            comments.push(Comment {
                id: c.id,
                text: c.text,
                timestamp: c.timestamp,
                from: c.from,
                username: c.username,
                replies,
                replies_after,
            });
        }
        Ok((comments, next))
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;
    use crate::instagram::{ErrorKind, InstagramConfig};

    #[tokio::test]
    async fn the_stream_ends_after_the_first_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        let addr = listener.local_addr().expect("bound");
        drop(listener);
        let config =
            InstagramConfig { timeout_secs: 1, ..InstagramConfig::for_sandbox(&format!("http://{addr}")) };
        let client = InstagramClient::new(config).expect("valid config");
        let mut stream = Box::pin(client.media_pages(&AccessToken::new("t"), 10).into_stream());
        let first = stream.next().await.expect("one item");
        assert_eq!(first.map(|_| ()).map_err(|e| e.kind()), Err(ErrorKind::Transient));
        assert!(stream.next().await.is_none());
    }
}
