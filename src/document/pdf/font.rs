//! The report's typeface, DejaVu Sans regular and bold, and the width of text set in it.
//!
//! The font files come from the `dejavu` crate (compiled into the binary, nothing read from
//! the system); krilla embeds the glyphs the report uses, with a ToUnicode map so that the
//! text can be copied and read aloud. Lines are wrapped with the glyph advances read once
//! by `skrifa`.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

/// A typeface: its file and the advance of each character it draws, in em.
pub struct Face {
    pub data: &'static [u8],
    /// Advance in em of the characters U+0000–U+2FFF (0 where the font has no glyph).
    advances: Vec<f32>,
    /// The advance of a character beyond that range.
    fallback_em: f32,
}

const TABLE_LEN: u32 = 0x3000;

impl Face {
    fn read(data: &'static [u8]) -> Face {
        let mut advances = vec![0.0; TABLE_LEN as usize];
        let mut fallback_em = 0.6;
        if let Ok(font) = FontRef::new(data) {
            let upem = f32::from(font.head().map(|h| h.units_per_em()).unwrap_or(1000));
            let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
            let charmap = font.charmap();
            let advance = |c: char| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .map(|w| w / upem)
            };
            for (code, slot) in advances.iter_mut().enumerate() {
                if let Some(c) = char::from_u32(code as u32) {
                    *slot = advance(c).unwrap_or(0.0);
                }
            }
            fallback_em = advance('0').unwrap_or(fallback_em);
        }
        Face {
            data,
            advances,
            fallback_em,
        }
    }

    /// The width of `s` at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| {
                self.advances
                    .get(c as usize)
                    .copied()
                    .unwrap_or(self.fallback_em)
            })
            .sum::<f32>()
            * size
    }
}

/// The regular or the bold face.
pub fn face(bold: bool) -> &'static Face {
    static REGULAR: OnceLock<Face> = OnceLock::new();
    static BOLD: OnceLock<Face> = OnceLock::new();
    if bold {
        BOLD.get_or_init(|| Face::read(dejavu::sans::bold()))
    } else {
        REGULAR.get_or_init(|| Face::read(dejavu::sans::regular()))
    }
}

/// The width of `s` at `size` points in the regular or bold face.
pub fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    face(bold).width(s, size)
}

/// Words wrapped into lines no wider than `width`; a word longer than a line is cut.
pub fn wrap(s: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, bold) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
        cut_overlong(&mut line, &mut lines, size, bold, width);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A single word wider than the line: its head goes on lines of its own.
fn cut_overlong(line: &mut String, lines: &mut Vec<String>, size: f32, bold: bool, width: f32) {
    while text_width(line, size, bold) > width && line.chars().count() > 1 {
        let mut cut = String::new();
        for c in line.chars() {
            cut.push(c);
            if text_width(&cut, size, bold) > width {
                cut.pop();
                break;
            }
        }
        if cut.is_empty() {
            break;
        }
        *line = line[cut.len()..].to_string();
        lines.push(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "Van de acht gemeenten bereiken er zes binnen vijfenveertig minuten een passende kleinschalige voorziening.";
        let lines = wrap(text, 10.0, false, 150.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l, 10.0, false) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        let long = wrap(&"x".repeat(200), 10.0, false, 100.0);
        assert!(long.iter().all(|l| text_width(l, 10.0, false) <= 100.0));
        assert_eq!(long.concat().len(), 200);
    }

    #[test]
    fn the_faces_draw_dutch_letters_and_bold_is_wider() {
        for c in ['â', 'ú', 'ë', '€', '≤', '–', '•'] {
            assert!(face(false).width(&c.to_string(), 10.0) > 0.0, "{c}");
        }
        assert!(
            text_width("Súdwest-Fryslân", 10.0, true) > text_width("Súdwest-Fryslân", 10.0, false)
        );
    }
}
