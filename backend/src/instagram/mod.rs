//! The Instagram API client.
