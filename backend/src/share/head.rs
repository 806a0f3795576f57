//! The head of the web app's `index.html`, filled per page by the server: what link previews
//! (which run no JavaScript) read: the title, the description, Open Graph and Twitter cards,
//! the canonical URL. Every value is HTML-escaped.

use std::fmt::Write as _;

/// Marks the block of `index.html` (its title and description) that a page's head replaces.
const START: &str = "<!--page-head-->";
const END: &str = "<!--/page-head-->";

/// `text` safe inside HTML text and double- or single-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// One page's head: what the server knows of the page before its JavaScript runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageHead {
    /// The page's name, without the site's (`@ada.demo’s crush`).
    pub title: String,
    /// One or two sentences.
    pub description: String,
    /// The page's absolute URL, when it has one worth linking to (with Open Graph tags).
    pub canonical: Option<String>,
    /// An absolute URL of a 1200×630 picture of the page, and its text alternative.
    pub image: Option<(String, String)>,
    /// Keep the page out of search engines (a page that is not there).
    pub noindex: bool,
}

impl PageHead {
    /// The head's tags.
    pub fn to_html(&self) -> String {
        let title = escape_html(&self.title);
        let description = escape_html(&self.description);
        let mut html = format!(
            "<title>{title} · Instacrush</title>\n    <meta name=\"description\" content=\"{description}\" />\n"
        );
        let mut meta = |attribute: &str, name: &str, value: &str| {
            let _ = writeln!(html, "    <meta {attribute}=\"{name}\" content=\"{}\" />", escape_html(value));
        };
        if self.noindex {
            meta("name", "robots", "noindex");
        }
        if let Some(url) = &self.canonical {
            meta("property", "og:type", "website");
            meta("property", "og:site_name", "Instacrush");
            meta("property", "og:title", &self.title);
            meta("property", "og:description", &self.description);
            meta("property", "og:url", url);
            let card = if self.image.is_some() { "summary_large_image" } else { "summary" };
            meta("name", "twitter:card", card);
            meta("name", "twitter:title", &self.title);
            meta("name", "twitter:description", &self.description);
            if let Some((image, alt)) = &self.image {
                meta("property", "og:image", image);
                meta("property", "og:image:type", "image/png");
                meta("property", "og:image:width", &super::CARD_WIDTH.to_string());
                meta("property", "og:image:height", &super::CARD_HEIGHT.to_string());
                meta("property", "og:image:alt", alt);
                meta("name", "twitter:image", image);
                meta("name", "twitter:image:alt", alt);
            }
            let _ = writeln!(html, "    <link rel=\"canonical\" href=\"{}\" />", escape_html(url));
        }
        html
    }
}

/// The built web app's `index.html`, split around its head block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTemplate {
    before: String,
    default_head: String,
    after: String,
}

impl IndexTemplate {
    /// Splits `html` at its head block (between `<!--page-head-->` and `<!--/page-head-->`);
    /// without the markers, a page's tags go just before `</head>`.
    pub fn parse(html: &str) -> Self {
        if let Some((before, rest)) = html.split_once(START)
            && let Some((block, after)) = rest.split_once(END)
        {
            return Self {
                before: before.to_owned(),
                default_head: block.to_owned(),
                after: after.to_owned(),
            };
        }
        let at = html.find("</head>").unwrap_or(0);
        Self { before: html[..at].to_owned(), default_head: String::new(), after: html[at..].to_owned() }
    }

    /// The page with `head`, or with the app's own head block when `None`.
    pub fn render(&self, head: Option<&PageHead>) -> String {
        let head = head.map_or_else(|| self.default_head.clone(), PageHead::to_html);
        [self.before.as_str(), head.as_str(), self.after.as_str()].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "<html><head><meta charset=\"UTF-8\" />\n    <!--page-head--><title>Instacrush</title>\
                         <meta name=\"description\" content=\"App\" /><!--/page-head-->\n</head><body></body></html>";

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn a_page_head_replaces_the_default_block() {
        let template = IndexTemplate::parse(INDEX);
        assert_eq!(
            template.render(None),
            INDEX.replace("<!--page-head-->", "").replace("<!--/page-head-->", "")
        );
        let head = PageHead {
            title: "@x\"<b>’s crush".to_owned(),
            description: "d".to_owned(),
            canonical: Some("https://example.test/crush/a".to_owned()),
            image: Some(("https://example.test/crush/a/card.png".to_owned(), "alt".to_owned())),
            noindex: false,
        };
        let page = template.render(Some(&head));
        assert!(page.starts_with("<html><head><meta charset=\"UTF-8\" />"), "{page}");
        assert!(page.ends_with("</head><body></body></html>"), "{page}");
        assert!(!page.contains("<title>Instacrush</title>"), "{page}");
        assert!(page.contains("<title>@x&quot;&lt;b&gt;’s crush · Instacrush</title>"), "{page}");
        assert!(page.contains(r#"<meta name="twitter:card" content="summary_large_image" />"#), "{page}");
        assert!(page.contains(r#"<link rel="canonical" href="https://example.test/crush/a" />"#), "{page}");
        assert!(!page.contains("<b>"), "{page}");
    }

    #[test]
    fn without_markers_tags_go_before_the_end_of_the_head() {
        let template = IndexTemplate::parse("<html><head><title>T</title></head><body></body></html>");
        let head = PageHead { title: "P".to_owned(), noindex: true, ..PageHead::default() };
        let page = template.render(Some(&head));
        assert!(page.contains("<meta name=\"robots\" content=\"noindex\" />\n</head>"), "{page}");
        assert!(!page.contains("og:"), "no Open Graph tags without a canonical URL: {page}");
    }
}
