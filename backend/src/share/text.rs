//! Text on the card: the shipped fonts' glyph outlines as tiny-skia paths (no shaping: Instagram
//! usernames are ASCII, and the rest of the card is ours).

use tiny_skia::{Path, PathBuilder};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

/// DejaVu Sans Bold, subset (see `backend/assets/fonts/README.md`).
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// DejaVu Sans, subset.
const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The card's two faces.
pub struct Fonts {
    /// Names, initials, the brand.
    pub bold: Face<'static>,
    /// Everything else.
    pub regular: Face<'static>,
}

impl Fonts {
    /// Parses the shipped fonts (compiled in, so they cannot be missing).
    pub fn load() -> Self {
        let parse = |data: &'static [u8]| Face::parse(data, 0).expect("the shipped fonts parse");
        Self { bold: parse(BOLD), regular: parse(REGULAR) }
    }
}

/// Where a line of text sits relative to its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `x` is the start.
    Left,
    /// `x` is the middle.
    Center,
}

/// A glyph for `c`, `?` where the font has none.
fn glyph(face: &Face<'_>, c: char) -> GlyphId {
    face.glyph_index(c).or_else(|| face.glyph_index('?')).unwrap_or(GlyphId(0))
}

/// How wide `text` is at `size` pixels.
pub fn width(face: &Face<'_>, text: &str, size: f32) -> f32 {
    let scale = size / f32::from(face.units_per_em());
    text.chars().map(|c| f32::from(face.glyph_hor_advance(glyph(face, c)).unwrap_or(0)) * scale).sum()
}

/// `text`, shortened with an ellipsis until it is at most `max` pixels wide at `size`.
pub fn fit(face: &Face<'_>, text: &str, size: f32, max: f32) -> String {
    if width(face, text, size) <= max {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let shortened: String = chars.iter().chain(['…'].iter()).collect();
        if width(face, &shortened, size) <= max {
            return shortened;
        }
    }
    "…".to_owned()
}

/// The outline of `text` at `size` pixels, its baseline at `y`, placed by `align` around `x`.
pub fn line(face: &Face<'_>, text: &str, size: f32, x: f32, y: f32, align: Align) -> Option<Path> {
    let scale = size / f32::from(face.units_per_em());
    let start = match align {
        Align::Left => x,
        Align::Center => x - width(face, text, size) / 2.0,
    };
    let mut pen = Pen { builder: PathBuilder::new(), x: start, y, scale };
    for c in text.chars() {
        let id = glyph(face, c);
        face.outline_glyph(id, &mut pen);
        pen.x += f32::from(face.glyph_hor_advance(id).unwrap_or(0)) * scale;
    }
    pen.builder.finish()
}

/// Collects glyph outlines (font units, y up) into one path (pixels, y down).
struct Pen {
    builder: PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl Pen {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.builder.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.builder.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let ((x1, y1), (x, y)) = (self.at(x1, y1), self.at(x, y));
        self.builder.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let ((x1, y1), (x2, y2), (x, y)) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.builder.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.builder.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_and_shortens_text() {
        let fonts = Fonts::load();
        let one = width(&fonts.bold, "a", 40.0);
        assert!(one > 10.0 && one < 40.0, "{one}");
        assert!((width(&fonts.bold, "aaaa", 40.0) - 4.0 * one).abs() < 0.01);
        assert_eq!(fit(&fonts.bold, "ada.demo", 40.0, 1000.0), "ada.demo");
        let short = fit(&fonts.bold, "a_very_long_username_indeed", 40.0, 200.0);
        assert!(short.ends_with('…') && width(&fonts.bold, &short, 40.0) <= 200.0, "{short}");
    }

    #[test]
    fn draws_a_line_and_nothing_for_no_text() {
        let fonts = Fonts::load();
        let path = line(&fonts.regular, "Hi", 40.0, 100.0, 50.0, Align::Center).unwrap();
        let bounds = path.bounds();
        assert!(bounds.left() > 60.0 && bounds.right() < 140.0, "{bounds:?}");
        assert!(bounds.bottom() <= 50.5 && bounds.top() > 10.0, "{bounds:?}");
        assert!(line(&fonts.regular, "", 40.0, 0.0, 0.0, Align::Left).is_none());
    }
}
