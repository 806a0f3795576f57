//! `ClientAddr`: the address a request comes from, for rate limits. The TCP peer's, unless the
//! peer is one of `TRUSTED_PROXIES`: then the nearest address in `X-Forwarded-For` that is not
//! a trusted proxy (the ones further left were written by the client and prove nothing).

use std::{
    convert::Infallible,
    net::{IpAddr, Ipv4Addr, SocketAddr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};

use super::{AppState, error::ApiError};
use crate::rate_limit::{Action, Limited};

/// The client's address (unspecified when the server runs without connection info, as in
/// tests calling the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// Counts `action` from this client (and `credential`, when there is one): `429` when
    /// either has run out.
    pub fn limit(self, state: &AppState, action: Action, credential: Option<&str>) -> Result<(), ApiError> {
        state.limits.check(action, self.0, credential).map_err(ApiError::from)
    }
}

impl From<Limited> for ApiError {
    fn from(limited: Limited) -> Self {
        Self::RateLimited { retry_after: limited.retry_after }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(Self(client_addr(peer, &parts.headers, &state.http.rate_limits.trusted_proxies)))
    }
}

fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let is_trusted = |addr: &IpAddr| trusted.iter().any(|net| net.contains(addr));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Ok(addr) = hop.parse::<IpAddr>() else { break };
        nearest = addr;
        if !is_trusted(&addr) {
            break;
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client_addr(Some(addr("198.51.100.1")), &headers, &trusted), addr("198.51.100.1"));
        assert_eq!(client_addr(Some(addr("10.1.2.3")), &headers, &trusted), addr("203.0.113.9"));
        assert_eq!(client_addr(Some(addr("10.1.2.3")), &headers, &[]), addr("10.1.2.3"), "none trusted");
    }

    #[test]
    fn the_nearest_untrusted_hop_wins_over_what_the_client_wrote() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let headers = forwarded(&["1.1.1.1, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(client_addr(Some(addr("10.0.0.1")), &headers, &trusted), addr("203.0.113.9"));
        let garbage = forwarded(&["nonsense"]);
        assert_eq!(client_addr(Some(addr("10.0.0.1")), &garbage, &trusted), addr("10.0.0.1"));
        assert_eq!(client_addr(None, &HeaderMap::new(), &trusted), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    }
}
