//! The report as PDF, written in-process with `pdf-writer` (typst's low-level PDF writer):
//! A4 pages, the standard Helvetica fonts (no font files needed, WinAnsi text so every PDF
//! reader and `pdftotext` read it), the region map drawn as vector paths. The layout is a
//! simple top-to-bottom flow: headings, wrapped paragraphs, tables that break across pages.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::svg::Fit;
use super::{Block, ListKind, Report, blocks, map_caption, tier_colour};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const TOP: f32 = 790.0;
const BOTTOM: f32 = 60.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (per 1000 em) for ASCII 32–126, from its AFM file.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

fn char_width(c: char, bold: bool) -> f32 {
    let w = match c as u32 {
        32..=126 => HELVETICA[(c as u32 - 32) as usize],
        _ => 556,
    } as f32;
    // Helvetica-Bold runs about 5% wider.
    if bold { w * 1.05 } else { w }
}

pub fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| char_width(c, bold)).sum::<f32>() * size / 1000.0
}

/// UTF-8 to WinAnsi (Windows-1252) bytes; characters it lacks become `?`.
pub fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E | 0xA0..=0xFF => c as u32 as u8,
            0x20AC => 0x80,
            0x201A => 0x82,
            0x201E => 0x84,
            0x2026 => 0x85,
            0x2018 => 0x91,
            0x2019 => 0x92,
            0x201C => 0x93,
            0x201D => 0x94,
            0x2022 => 0x95,
            0x2013 => 0x96,
            0x2014 => 0x97,
            0x2264 | 0x2265 => b'=',
            _ => b'?',
        })
        .collect()
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
        // A single word wider than the line: cut it.
        while text_width(&line, size, bold) > width && line.chars().count() > 1 {
            let mut cut = String::new();
            for c in line.chars() {
                if text_width(&format!("{cut}{c}"), size, bold) > width {
                    break;
                }
                cut.push(c);
            }
            if cut.is_empty() {
                break;
            }
            line = line[cut.len()..].to_string();
            lines.push(cut);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn rgb(hex: &str) -> (f32, f32, f32) {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x999999);
    (
        ((v >> 16) & 0xFF) as f32 / 255.0,
        ((v >> 8) & 0xFF) as f32 / 255.0,
        (v & 0xFF) as f32 / 255.0,
    )
}

/// The flow of pages.
struct Flow {
    pages: Vec<Content>,
    page: Content,
    y: f32,
}

impl Flow {
    fn new() -> Self {
        Flow {
            pages: Vec::new(),
            page: Content::new(),
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        let done = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(done);
        self.y = TOP;
    }

    /// Room for `h` points, else a new page.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, s: &str, size: f32, bold: bool, colour: (f32, f32, f32)) {
        self.page.set_fill_rgb(colour.0, colour.1, colour.2);
        self.page.begin_text();
        self.page.set_font(if bold { BOLD } else { REGULAR }, size);
        self.page.next_line(x, y);
        self.page.show(Str(&win_ansi(s)));
        self.page.end_text();
    }

    fn para(&mut self, s: &str, size: f32, bold: bool, colour: (f32, f32, f32)) {
        let lead = size * 1.35;
        for line in wrap(s, size, bold, RIGHT - LEFT) {
            self.ensure(lead);
            self.y -= lead;
            self.text_at(LEFT, self.y, &line, size, bold, colour);
        }
        self.y -= size * 0.5;
    }

    fn heading(&mut self, s: &str, size: f32) {
        self.ensure(size * 3.0);
        self.y -= size * 0.6;
        self.para(s, size, true, (0.12, 0.23, 0.37));
    }

    fn bullet(&mut self, s: &str, size: f32, colour: (f32, f32, f32)) {
        let lead = size * 1.35;
        for (i, line) in wrap(s, size, false, RIGHT - LEFT - 14.0)
            .into_iter()
            .enumerate()
        {
            self.ensure(lead);
            self.y -= lead;
            if i == 0 {
                self.text_at(LEFT + 2.0, self.y, "-", size, false, colour);
            }
            self.text_at(LEFT + 14.0, self.y, &line, size, false, colour);
        }
        self.y -= 2.0;
    }

    /// A table with wrapped cells; the header repeats on every page; a colour mark per row.
    fn table(&mut self, head: &[String], rows: &[Vec<String>], marks: &[&str], widths: &[f32]) {
        let size = 8.0;
        let lead = size * 1.3;
        let total: f32 = widths.iter().sum();
        let scale = (RIGHT - LEFT) / total;
        let widths: Vec<f32> = widths.iter().map(|w| w * scale).collect();
        let draw_row = |flow: &mut Flow, cells: &[String], bold: bool, mark: Option<&str>| {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| wrap(c, size, bold, w - 6.0))
                .collect();
            let lines = wrapped.iter().map(|w| w.len().max(1)).max().unwrap_or(1);
            let h = lines as f32 * lead + 4.0;
            flow.ensure(h);
            if bold {
                flow.page.set_fill_rgb(0.93, 0.95, 0.96);
                flow.page.rect(LEFT, flow.y - h, RIGHT - LEFT, h);
                flow.page.fill_nonzero();
            }
            if let Some(m) = mark {
                let (r, g, b) = rgb(m);
                flow.page.set_fill_rgb(r, g, b);
                flow.page.rect(LEFT - 6.0, flow.y - h, 4.0, h);
                flow.page.fill_nonzero();
            }
            let mut x = LEFT;
            for (cell, w) in wrapped.iter().zip(&widths) {
                for (i, line) in cell.iter().enumerate() {
                    flow.text_at(
                        x + 3.0,
                        flow.y - 2.0 - (i as f32 + 1.0) * lead + 2.0,
                        line,
                        size,
                        bold,
                        (0.1, 0.1, 0.12),
                    );
                }
                x += w;
            }
            flow.y -= h;
            flow.page.set_stroke_rgb(0.85, 0.87, 0.9);
            flow.page.set_line_width(0.5);
            flow.page.move_to(LEFT, flow.y);
            flow.page.line_to(RIGHT, flow.y);
            flow.page.stroke();
        };
        draw_row(self, head, true, None);
        for (row, mark) in rows.iter().zip(marks) {
            if self.y - 2.0 * lead - 4.0 < BOTTOM {
                self.new_page();
                draw_row(self, head, true, None);
            }
            draw_row(self, row, false, Some(mark));
        }
        self.y -= 8.0;
    }

    /// The region map, vector paths, `max_h` points high at most, with its legend.
    fn map(&mut self, map: &super::MapData, max_h: f32) {
        // Use the rest of the page when enough of it is left, rather than leave it empty.
        let legend_h = 16.0 * map.legend.len() as f32 + 10.0;
        let room = self.y - BOTTOM - legend_h;
        let max_h = if room >= 200.0 {
            max_h.min(room)
        } else {
            max_h
        };
        let fit = Fit::new(map.bbox, f64::from(RIGHT - LEFT), f64::from(max_h));
        // The legend and the caption under it stay on the map's page.
        let h = fit.height as f32 + 16.0 * map.legend.len() as f32 + 10.0 + 24.0;
        self.ensure(h);
        let top = self.y;
        let x0 = LEFT + (RIGHT - LEFT - fit.width as f32) / 2.0;
        let at = |lon: f64, lat: f64| {
            let (x, y) = fit.xy(lon, lat);
            (x0 + x as f32, top - y as f32)
        };
        self.page.set_fill_rgb(0.93, 0.95, 0.97);
        self.page.rect(
            x0,
            top - fit.height as f32,
            fit.width as f32,
            fit.height as f32,
        );
        self.page.fill_nonzero();
        // Neighbours reach past the view: draw inside its frame only.
        self.page.save_state();
        self.page.rect(
            x0,
            top - fit.height as f32,
            fit.width as f32,
            fit.height as f32,
        );
        self.page.clip_nonzero();
        self.page.end_path();
        for focus in [false, true] {
            for shape in map.shapes.iter().filter(|s| s.focus == focus) {
                let (r, g, b) = if focus {
                    rgb(shape.fill)
                } else {
                    (0.85, 0.87, 0.89)
                };
                self.page.set_fill_rgb(r, g, b);
                if focus {
                    self.page.set_stroke_rgb(0.2, 0.2, 0.2);
                    self.page.set_line_width(0.6);
                } else {
                    self.page.set_stroke_rgb(0.67, 0.67, 0.67);
                    self.page.set_line_width(0.3);
                }
                for poly in &shape.polygons {
                    for ring in poly {
                        for (i, p) in ring.iter().enumerate() {
                            let (x, y) = at(p[0], p[1]);
                            if i == 0 {
                                self.page.move_to(x, y);
                            } else {
                                self.page.line_to(x, y);
                            }
                        }
                        self.page.close_path();
                    }
                }
                self.page.fill_even_odd_and_stroke();
            }
        }
        for p in &map.points {
            let (x, y) = at(p.lon, p.lat);
            if x < x0 || x > x0 + fit.width as f32 || y > top || y < top - fit.height as f32 {
                continue;
            }
            let (r, g, b) = rgb(p.colour);
            self.page.set_fill_rgb(r, g, b);
            self.page.set_stroke_rgb(1.0, 1.0, 1.0);
            self.page.set_line_width(1.0);
            // A dot: four Bézier quarter circles (PDF has no circle operator).
            let (r, k) = (3.5, 3.5 * 0.552_284_8);
            self.page.move_to(x + r, y);
            self.page.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
            self.page.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
            self.page.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
            self.page.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
            self.page.close_path();
            self.page.fill_nonzero_and_stroke();
        }
        self.page.restore_state();
        for label in &map.labels {
            let (x, y) = at(label.lon, label.lat);
            let w = text_width(&label.text, 8.0, false);
            self.text_at(
                x - w / 2.0,
                y + 5.0,
                &label.text,
                8.0,
                false,
                (0.07, 0.07, 0.07),
            );
        }
        self.y = top - fit.height as f32 - 8.0;
        self.legend(&map.legend);
    }

    /// The map's legend under it: a coloured square and its label per line.
    fn legend(&mut self, legend: &[(&'static str, String)]) {
        for (colour, label) in legend {
            let (r, g, b) = rgb(colour);
            self.page.set_fill_rgb(r, g, b);
            self.page.rect(LEFT, self.y - 10.0, 10.0, 10.0);
            self.page.fill_nonzero();
            self.text_at(
                LEFT + 16.0,
                self.y - 9.0,
                label,
                9.0,
                false,
                (0.1, 0.1, 0.12),
            );
            self.y -= 16.0;
        }
        self.y -= 6.0;
    }
}

/// The report as PDF bytes.
pub fn to_pdf(r: &Report) -> Vec<u8> {
    let l = r.lang;
    let dark = (0.11, 0.14, 0.19);
    let grey = (0.29, 0.33, 0.4);
    let red = (0.63, 0.11, 0.07);
    let mut f = Flow::new();
    for block in blocks(r) {
        match block {
            Block::Title(t) => f.para(t, 17.0, true, (0.12, 0.23, 0.37)),
            Block::Meta(question, generated) => {
                f.para(question, 10.0, false, grey);
                f.para(&generated, 9.0, false, grey);
            }
            Block::Warning(w) => f.para(w, 10.0, true, (0.55, 0.35, 0.0)),
            Block::Region { region, first } => {
                if !first {
                    f.new_page();
                }
                f.heading(&format!("{} ({})", region.name, region.code), 15.0);
            }
            Block::Heading(h) => f.heading(h, 12.0),
            Block::Chapter(h) => f.heading(h, 13.0),
            Block::Paragraph(p) => f.para(p, 10.0, false, dark),
            Block::Note(p) => f.para(p, 9.5, false, dark),
            Block::Nothing(p) => f.para(p, 10.0, false, dark),
            Block::Map(region) => {
                f.map(&region.map, 330.0);
                f.para(map_caption(l), 8.0, false, grey);
            }
            Block::List(items, kind) => {
                let (size, colour) = match kind {
                    ListKind::Gaps => (10.0, dark),
                    ListKind::Flags => (10.0, red),
                    ListKind::Sources => (9.5, dark),
                };
                for item in items {
                    f.bullet(item, size, colour);
                }
            }
            Block::Table(region) => {
                let marks: Vec<&str> = region.row_status.iter().map(|s| tier_colour(*s)).collect();
                f.table(
                    &region.table_head,
                    &region.rows,
                    &marks,
                    &[110.0, 85.0, 50.0, 120.0, 55.0, 50.0, 55.0],
                );
            }
            Block::Figures(figures) => {
                for fig in figures {
                    f.para(&format!("{}: {}", fig.label, fig.value), 10.0, true, dark);
                    f.para(&fig.meaning, 9.0, false, grey);
                }
            }
            Block::RegionEnd => {}
        }
    }
    // The last page into the list.
    f.new_page();
    write(r, f.pages)
}

fn write(r: &Report, pages: Vec<Content>) -> Vec<u8> {
    let n = pages.len();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(first + 2 * i as i32)).collect();
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(n as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&r.title))
        .creator(TextStr(concat!("nabij ", env!("CARGO_PKG_VERSION"))));
    for (i, mut content) in pages.into_iter().enumerate() {
        // Page number at the foot.
        let label = format!("{} / {n}", i + 1);
        content.set_fill_rgb(0.4, 0.4, 0.45);
        content.begin_text();
        content.set_font(REGULAR, 8.0);
        content.next_line(RIGHT - text_width(&label, 8.0, false), 30.0);
        content.show(Str(&win_ansi(&label)));
        content.end_text();
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(REGULAR, regular);
        fonts.pair(BOLD, bold);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
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
    fn dutch_letters_are_win_ansi() {
        assert_eq!(
            win_ansi("Súdwest-Fryslân €"),
            b"S\xfadwest-Frysl\xe2n \x80".to_vec()
        );
        assert_eq!(win_ansi("→"), b"?".to_vec());
    }
}
