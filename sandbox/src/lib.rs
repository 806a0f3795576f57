//! A local stand-in for the Instagram API with Instagram Login.
