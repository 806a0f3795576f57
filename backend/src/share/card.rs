//! The crush card: a 1200×630 PNG (the size link previews ask for) with both accounts' initials
//! in the brand gradient, as the web app draws a missing profile picture, their usernames and
//! the counts. No picture is fetched: the card is drawn from the crush's own data alone.

use std::f32::consts::FRAC_PI_2;

use anyhow::Context as _;
use tiny_skia::{
    Color, FillRule, GradientStop, LinearGradient, Paint, Path, PathBuilder, Pixmap, Point, Shader,
    SpreadMode, Transform,
};

use super::text::{self, Align, Fonts};

/// The card's width in pixels.
pub const CARD_WIDTH: u32 = 1200;
/// The card's height in pixels.
pub const CARD_HEIGHT: u32 = 630;

/// The web app's colours (`src/index.css`), as 0xRRGGBB.
const INK: u32 = 0x1f1a1d;
const MUTED: u32 = 0x5c5358;
const ACCENT: u32 = 0xa3195b;
const WHITE: u32 = 0xffffff;
const ORANGE: u32 = 0xf58529;
const PURPLE: u32 = 0x8134af;

/// Where the two avatars sit, and their radius.
const AVATAR_Y: f32 = 300.0;
const AVATAR_XS: [f32; 2] = [330.0, 870.0];
const AVATAR_RADIUS: f32 = 105.0;

fn rgb(hex: u32) -> Color {
    let [_, r, g, b] = hex.to_be_bytes();
    Color::from_rgba8(r, g, b, 0xff)
}

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardData<'a> {
    /// Whose crush it is.
    pub owner: &'a str,
    /// The crush.
    pub crush: &'a str,
    /// Comments and replies by the crush.
    pub comments: i64,
    /// Posts they commented on.
    pub posts: i64,
}

/// The initial standing for `username` where there is no picture: its first letter or digit,
/// upper-cased (`?` when it has none), as the web app's avatar draws it.
pub fn initial(username: &str) -> String {
    username
        .chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

/// Draws the card and encodes it as PNG.
pub fn render_card(data: &CardData<'_>) -> anyhow::Result<Vec<u8>> {
    let fonts = Fonts::load();
    let mut pixmap = Pixmap::new(CARD_WIDTH, CARD_HEIGHT).context("card size")?;
    let (w, h) = (CARD_WIDTH as f32, CARD_HEIGHT as f32);
    let frame = rounded_rect(0.0, 0.0, w, h, 0.0).context("frame")?;
    fill(&mut pixmap, &frame, brand_gradient(0.0, 0.0, w, h));
    let panel = rounded_rect(32.0, 32.0, w - 64.0, h - 64.0, 36.0).context("panel")?;
    fill(&mut pixmap, &panel, Shader::SolidColor(rgb(WHITE)));

    brand(&mut pixmap, &fonts);
    let people = [(data.owner, "OWNER"), (data.crush, "CRUSH")];
    for ((username, role), x) in people.into_iter().zip(AVATAR_XS) {
        person(&mut pixmap, &fonts, username, role, x);
    }
    if let Some(heart) = heart(600.0, AVATAR_Y, 96.0) {
        fill(&mut pixmap, &heart, Shader::SolidColor(rgb(ACCENT)));
    }
    let summary = summary(data.comments, data.posts);
    write(&mut pixmap, &fonts.regular, &summary, 30.0, (600.0, 556.0), Align::Center, rgb(MUTED));
    pixmap.encode_png().context("encoding the card")
}

/// The logo and the name, top left.
fn brand(pixmap: &mut Pixmap, fonts: &Fonts) {
    if let Some(logo) = heart(96.0, 96.0, 48.0) {
        fill(pixmap, &logo, brand_gradient(72.0, 72.0, 48.0, 48.0));
    }
    write(pixmap, &fonts.bold, "Instacrush", 36.0, (132.0, 109.0), Align::Left, rgb(INK));
}

/// One account: the avatar with its initial, the role and the username under it.
fn person(pixmap: &mut Pixmap, fonts: &Fonts, username: &str, role: &str, x: f32) {
    let r = AVATAR_RADIUS;
    // As the web app's avatar: a white ring inside an accent outline around the gradient disc.
    for (radius, shader) in [
        (r + 10.0, Shader::SolidColor(rgb(ACCENT))),
        (r + 6.0, Shader::SolidColor(rgb(WHITE))),
        (r, brand_gradient(x - r, AVATAR_Y - r, 2.0 * r, 2.0 * r)),
    ] {
        if let Some(disc) = PathBuilder::from_circle(x, AVATAR_Y, radius) {
            fill(pixmap, &disc, shader);
        }
    }
    let size = 110.0;
    let cap = fonts
        .bold
        .capital_height()
        .map_or(0.73 * size, |cap| f32::from(cap) * size / f32::from(fonts.bold.units_per_em()));
    write(
        pixmap,
        &fonts.bold,
        &initial(username),
        size,
        (x, AVATAR_Y + cap / 2.0),
        Align::Center,
        rgb(WHITE),
    );
    write(pixmap, &fonts.regular, role, 22.0, (x, 448.0), Align::Center, rgb(MUTED));
    let name = text::fit(&fonts.bold, &format!("@{username}"), 40.0, 470.0);
    write(pixmap, &fonts.bold, &name, 40.0, (x, 494.0), Align::Center, rgb(INK));
}

/// "30 comments and replies on 19 posts": what the crush did, in words.
pub fn summary(comments: i64, posts: i64) -> String {
    format!(
        "{} on {}",
        count(comments, "comment or reply", "comments and replies"),
        count(posts, "post", "posts")
    )
}

/// "1 post", "19 posts", "1,204 posts".
fn count(n: i64, one: &str, many: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{grouped} {}", if n == 1 { one } else { many })
}

fn write(
    pixmap: &mut Pixmap,
    face: &ttf_parser::Face<'_>,
    line: &str,
    size: f32,
    at: (f32, f32),
    align: Align,
    color: Color,
) {
    if let Some(path) = text::line(face, line, size, at.0, at.1, align) {
        fill(pixmap, &path, Shader::SolidColor(color));
    }
}

fn fill(pixmap: &mut Pixmap, path: &Path, shader: Shader<'_>) {
    let paint = Paint { shader, anti_alias: true, ..Paint::default() };
    pixmap.fill_path(path, &paint, FillRule::Winding, Transform::identity(), None);
}

/// The brand gradient (orange, magenta, purple) across a box, top left to bottom right.
fn brand_gradient(x: f32, y: f32, w: f32, h: f32) -> Shader<'static> {
    let stops = vec![
        GradientStop::new(0.0, rgb(ORANGE)),
        GradientStop::new(0.55, rgb(ACCENT)),
        GradientStop::new(1.0, rgb(PURPLE)),
    ];
    LinearGradient::new(
        Point::from_xy(x, y),
        Point::from_xy(x + w, y + h),
        stops,
        SpreadMode::Pad,
        Transform::identity(),
    )
    .unwrap_or(Shader::SolidColor(rgb(ACCENT)))
}

/// Appends an arc of the circle (`cx`, `cy`, `r`) from angle `from` to `to` (radians, y down),
/// in cubic pieces of at most a quarter turn.
fn arc(builder: &mut PathBuilder, (cx, cy): (f32, f32), r: f32, from: f32, to: f32) {
    let pieces = ((to - from).abs() / FRAC_PI_2).ceil().max(1.0);
    let step = (to - from) / pieces;
    let k = 4.0 / 3.0 * (step / 4.0).tan();
    let mut angle = from;
    for _ in 0..(pieces as usize) {
        let (s0, c0, s1, c1) = (angle.sin(), angle.cos(), (angle + step).sin(), (angle + step).cos());
        builder.cubic_to(
            cx + r * (c0 - k * s0),
            cy + r * (s0 + k * c0),
            cx + r * (c1 + k * s1),
            cy + r * (s1 - k * c1),
            cx + r * c1,
            cy + r * s1,
        );
        angle += step;
    }
}

/// The Instacrush heart (the web app's logo path, on a 32-unit box) centred on (`cx`, `cy`).
fn heart(cx: f32, cy: f32, size: f32) -> Option<Path> {
    let s = size / 32.0;
    let at = |x: f32, y: f32| (cx + (x - 16.0) * s, cy + (y - 16.0) * s);
    let lobe = 7.3 * s;
    let deg = |d: f32| d.to_radians();
    let mut b = PathBuilder::new();
    let start = at(16.0, 28.5);
    b.move_to(start.0, start.1);
    let left = at(4.6, 17.4);
    b.line_to(left.0, left.1);
    arc(&mut b, at(9.8, 12.25), lobe, deg(135.0), deg(315.0));
    let notch = at(16.0, 8.1);
    b.line_to(notch.0, notch.1);
    let right = at(17.0, 7.1);
    b.line_to(right.0, right.1);
    arc(&mut b, at(22.2, 12.25), lobe, deg(225.0), deg(405.0));
    b.close();
    b.finish()
}

fn rounded_rect(x: f32, y: f32, w: f32, h: f32, r: f32) -> Option<Path> {
    let mut b = PathBuilder::new();
    b.move_to(x + r, y);
    b.line_to(x + w - r, y);
    arc(&mut b, (x + w - r, y + r), r, deg(270.0), deg(360.0));
    b.line_to(x + w, y + h - r);
    arc(&mut b, (x + w - r, y + h - r), r, 0.0, deg(90.0));
    b.line_to(x + r, y + h);
    arc(&mut b, (x + r, y + h - r), r, deg(90.0), deg(180.0));
    b.line_to(x, y + r);
    arc(&mut b, (x + r, y + r), r, deg(180.0), deg(270.0));
    b.close();
    b.finish()
}

fn deg(degrees: f32) -> f32 {
    degrees.to_radians()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_the_first_letter_or_digit_upper_cased() {
        assert_eq!(initial("ada.demo"), "A");
        assert_eq!(initial("_9lives"), "9");
        assert_eq!(initial("__"), "?");
        assert_eq!(initial("élodie"), "É");
    }

    #[test]
    fn counts_are_grouped_and_singular_when_one() {
        assert_eq!(count(1, "post", "posts"), "1 post");
        assert_eq!(count(19, "post", "posts"), "19 posts");
        assert_eq!(count(1_204_000, "post", "posts"), "1,204,000 posts");
    }

    #[test]
    fn the_card_is_a_1200_by_630_png_in_the_brand_colours() {
        let data = CardData { owner: "ada.demo", crush: "theo_paints", comments: 30, posts: 19 };
        let png = render_card(&data).unwrap();
        let card = Pixmap::decode_png(&png).unwrap();
        assert_eq!((card.width(), card.height()), (CARD_WIDTH, CARD_HEIGHT));
        // The frame's corner is the gradient's orange, the panel white, the heart between the
        // avatars the accent.
        let pixel = |x: u32, y: u32| {
            let p = card.pixel(x, y).unwrap();
            (p.red(), p.green(), p.blue())
        };
        assert_eq!(pixel(2, 2), (0xf5, 0x85, 0x29));
        assert_eq!(pixel(600, 160), (0xff, 0xff, 0xff));
        assert_eq!(pixel(600, 300), (0xa3, 0x19, 0x5b));
        // Each avatar's initial is drawn in white over its gradient disc.
        let white_near =
            |cx: u32| (cx - 30..cx + 30).any(|x| pixel(x, AVATAR_Y as u32) == (0xff, 0xff, 0xff));
        assert!(white_near(AVATAR_XS[0] as u32) && white_near(AVATAR_XS[1] as u32));
        // Another crush, another card.
        let other = render_card(&CardData { crush: "zoe.shoots", ..data }).unwrap();
        assert_ne!(png, other);
    }
}
