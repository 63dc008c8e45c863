//! The report's pages laid out top to bottom, as drawing operations and a structure tree.
//!
//! Every piece of content is either a leaf of the structure tree (a line of a paragraph, a
//! table cell's line, the map) or an artifact (page numbers, rules, shading, the repeated
//! table header): the writer turns leaves into marked content and the tree into the PDF's
//! structure tree, so that a screen reader reads the report in this order.

use super::font::{text_width, wrap};
use crate::document::svg::Fit;
use crate::document::{MapData, tier_colour};

pub const PAGE_W: f32 = 595.0;
pub const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const TOP: f32 = 790.0;
const BOTTOM: f32 = 60.0;

/// A colour, each channel 0–1.
pub type Rgb = (f32, f32, f32);

/// The role of a part of the report in the structure tree (PDF's standard structure types).
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// A heading: its level and its text (its title in the structure tree).
    Heading(u16, String),
    P,
    List,
    ListItem,
    Label,
    ListBody,
    Table,
    Row,
    /// A header cell for its column or (`false`) its row.
    HeaderCell {
        column: bool,
    },
    Cell,
    /// A figure and its text alternative.
    Figure(String),
}

/// A part of the structure tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub role: Role,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, Copy)]
pub enum Child {
    Node(usize),
    Leaf(usize),
}

/// What a drawing operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// Content: a leaf of the structure tree (text, or the map's graphics).
    Leaf { id: usize, text: bool },
    /// Layout only (shading, rules, colour marks, the repeated table header).
    Layout,
    /// The page number.
    PageNumber,
}

/// One segment of a path.
#[derive(Debug, Clone, Copy)]
pub enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A drawing operation, in PDF points from the bottom left of the page.
#[derive(Debug, Clone)]
pub enum Draw {
    Text {
        x: f32,
        y: f32,
        text: String,
        size: f32,
        bold: bool,
        colour: Rgb,
    },
    Path {
        segs: Vec<Seg>,
        fill: Option<Rgb>,
        even_odd: bool,
        stroke: Option<(Rgb, f32)>,
    },
    /// Clip what follows to a rectangle `[x, y, w, h]` until [`Draw::Unclip`].
    Clip([f32; 4]),
    Unclip,
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Vec<Seg> {
    vec![
        Seg::Move(x, y),
        Seg::Line(x + w, y),
        Seg::Line(x + w, y + h),
        Seg::Line(x, y + h),
        Seg::Close,
    ]
}

pub fn rgb(hex: &str) -> Rgb {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x999999);
    (
        ((v >> 16) & 0xFF) as f32 / 255.0,
        ((v >> 8) & 0xFF) as f32 / 255.0,
        (v & 0xFF) as f32 / 255.0,
    )
}

/// A page: its operations in drawing order.
pub type Page = Vec<(Mark, Draw)>;

/// The flow of pages and the structure tree built alongside.
pub struct Flow {
    pub pages: Vec<Page>,
    page: Page,
    y: f32,
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
    open: Vec<usize>,
    leaves: usize,
    /// The headings for the document outline (bookmarks).
    pub headings: Vec<Heading>,
}

/// A heading where it stands: for the document outline.
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u16,
    pub text: String,
    pub page: usize,
    /// The top of its first line, from the bottom of the page.
    pub y: f32,
}

/// What the writer needs of the laid-out report.
pub struct Laid {
    pub pages: Vec<Page>,
    pub nodes: Vec<Node>,
    pub roots: Vec<usize>,
    pub leaves: usize,
    pub headings: Vec<Heading>,
}

impl Flow {
    pub fn new() -> Self {
        Flow {
            pages: Vec::new(),
            page: Vec::new(),
            y: TOP,
            nodes: Vec::new(),
            roots: Vec::new(),
            open: Vec::new(),
            leaves: 0,
            headings: Vec::new(),
        }
    }

    pub fn new_page(&mut self) {
        let done = std::mem::take(&mut self.page);
        self.pages.push(done);
        self.y = TOP;
    }

    /// The pages, the last one included, each with its number as an artifact.
    pub fn finish(mut self) -> Laid {
        self.new_page();
        let n = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let label = format!("{} / {n}", i + 1);
            page.push((
                Mark::PageNumber,
                Draw::Text {
                    x: RIGHT - text_width(&label, 8.0, false),
                    y: 30.0,
                    text: label,
                    size: 8.0,
                    bold: false,
                    colour: (0.35, 0.35, 0.4),
                },
            ));
        }
        Laid {
            pages: self.pages,
            nodes: self.nodes,
            roots: self.roots,
            leaves: self.leaves,
            headings: self.headings,
        }
    }

    /// Start a part of the structure tree inside the part that is open.
    pub fn open(&mut self, role: Role) {
        let id = self.nodes.len();
        self.nodes.push(Node {
            role,
            children: Vec::new(),
        });
        match self.open.last() {
            Some(&parent) => self.nodes[parent].children.push(Child::Node(id)),
            None => self.roots.push(id),
        }
        self.open.push(id);
    }

    pub fn close(&mut self) {
        self.open.pop();
    }

    /// A new leaf in the open part.
    fn leaf(&mut self, text: bool) -> Mark {
        let id = self.leaves;
        self.leaves += 1;
        if let Some(&parent) = self.open.last() {
            self.nodes[parent].children.push(Child::Leaf(id));
        }
        Mark::Leaf { id, text }
    }

    /// Room for `h` points, else a new page.
    fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn draw(&mut self, mark: Mark, d: Draw) {
        self.page.push((mark, d));
    }

    fn fill(&mut self, mark: Mark, segs: Vec<Seg>, colour: Rgb) {
        self.draw(
            mark,
            Draw::Path {
                segs,
                fill: Some(colour),
                even_odd: false,
                stroke: None,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, mark: Mark, x: f32, y: f32, s: &str, size: f32, bold: bool, colour: Rgb) {
        self.draw(
            mark,
            Draw::Text {
                x,
                y,
                text: s.to_string(),
                size,
                bold,
                colour,
            },
        );
    }

    /// Wrapped lines, each a leaf of the open part.
    fn lines(&mut self, s: &str, x: f32, width: f32, size: f32, bold: bool, colour: Rgb) {
        let lead = size * 1.35;
        for line in wrap(s, size, bold, width) {
            self.ensure(lead);
            self.y -= lead;
            let mark = self.leaf(true);
            self.text(mark, x, self.y, &line, size, bold, colour);
        }
    }

    /// A paragraph in the role given (a paragraph, a heading).
    pub fn para_as(&mut self, role: Role, s: &str, size: f32, bold: bool, colour: Rgb) {
        if let Role::Heading(level, text) = &role {
            self.ensure(size * 1.35);
            self.headings.push(Heading {
                level: *level,
                text: text.clone(),
                page: self.pages.len(),
                y: self.y,
            });
        }
        self.open(role);
        self.lines(s, LEFT, RIGHT - LEFT, size, bold, colour);
        self.close();
        self.y -= size * 0.5;
    }

    pub fn para(&mut self, s: &str, size: f32, bold: bool, colour: Rgb) {
        self.para_as(Role::P, s, size, bold, colour);
    }

    pub fn heading(&mut self, s: &str, size: f32, level: u16) {
        self.ensure(size * 3.0);
        self.y -= size * 0.6;
        self.para_as(
            Role::Heading(level, s.to_string()),
            s,
            size,
            true,
            (0.12, 0.23, 0.37),
        );
    }

    /// A bulleted list: a label and a body per item.
    pub fn list(&mut self, items: &[String], size: f32, colour: Rgb) {
        self.open(Role::List);
        for item in items {
            let lead = size * 1.35;
            self.ensure(lead);
            self.open(Role::ListItem);
            self.open(Role::Label);
            let mark = self.leaf(true);
            self.text(mark, LEFT + 3.0, self.y - lead, "•", size, false, colour);
            self.close();
            self.open(Role::ListBody);
            self.lines(item, LEFT + 14.0, RIGHT - LEFT - 14.0, size, false, colour);
            self.close();
            self.close();
            self.y -= 2.0;
        }
        self.close();
    }

    /// A table with wrapped cells: column header cells on top (repeated on every page as
    /// layout), the first cell of each row its row's header, a colour mark per row (where
    /// `marks` has one).
    pub fn table(&mut self, head: &[String], rows: &[Vec<String>], marks: &[&str], widths: &[f32]) {
        let widths = column_widths(head, rows, widths, RIGHT - LEFT);
        // A table that fits on a page is not split.
        let whole: f32 = std::iter::once(row_height(head, &widths, true))
            .chain(rows.iter().map(|r| row_height(r, &widths, false)))
            .sum();
        if whole < TOP - BOTTOM {
            self.ensure(whole);
        }
        self.open(Role::Table);
        self.table_row(head, &widths, RowKind::Head, None);
        for (i, row) in rows.iter().enumerate() {
            if self.y - row_height(row, &widths, false) < BOTTOM {
                self.new_page();
                self.table_row(head, &widths, RowKind::RepeatedHead, None);
            }
            self.table_row(row, &widths, RowKind::Body, marks.get(i).copied());
        }
        self.close();
        self.y -= 8.0;
    }

    fn table_row(&mut self, cells: &[String], widths: &[f32], kind: RowKind, mark: Option<&str>) {
        let bold = kind != RowKind::Body;
        let lead = TABLE_SIZE * 1.3;
        let wrapped = wrap_cells(cells, widths, bold);
        let h = row_height(cells, widths, bold);
        self.ensure(h);
        if bold {
            self.fill(
                Mark::Layout,
                rect(LEFT, self.y - h, RIGHT - LEFT, h),
                (0.93, 0.95, 0.96),
            );
        }
        if let Some(m) = mark {
            self.fill(Mark::Layout, rect(LEFT - 6.0, self.y - h, 4.0, h), rgb(m));
        }
        let in_tree = kind != RowKind::RepeatedHead;
        if in_tree {
            self.open(Role::Row);
        }
        let mut x = LEFT;
        for (col, (cell, w)) in wrapped.iter().zip(widths).enumerate() {
            if in_tree {
                self.open(match kind {
                    RowKind::Head => Role::HeaderCell { column: true },
                    _ if col == 0 => Role::HeaderCell { column: false },
                    _ => Role::Cell,
                });
            }
            for (i, line) in cell.iter().enumerate() {
                let m = if in_tree {
                    self.leaf(true)
                } else {
                    Mark::Layout
                };
                let y = self.y - (i as f32 + 1.0) * lead;
                self.text(m, x + 3.0, y, line, TABLE_SIZE, bold, (0.1, 0.1, 0.12));
            }
            if in_tree {
                self.close();
            }
            x += w;
        }
        if in_tree {
            self.close();
        }
        self.y -= h;
        self.draw(
            Mark::Layout,
            Draw::Path {
                segs: vec![Seg::Move(LEFT, self.y), Seg::Line(RIGHT, self.y)],
                fill: None,
                even_odd: false,
                stroke: Some(((0.85, 0.87, 0.9), 0.5)),
            },
        );
    }

    /// The region map as a figure with its text alternative, `max_h` points high at most,
    /// its legend as a list under it; map and legend stay on one page.
    pub fn map(&mut self, map: &MapData, max_h: f32, alt: &str) {
        // Use the rest of the page when enough of it is left, rather than leave it empty.
        let legend_h = 16.0 * map.legend.len() as f32 + 10.0;
        let room = self.y - BOTTOM - legend_h - CAPTION_H;
        let max_h = if room >= 200.0 {
            max_h.min(room)
        } else {
            max_h
        };
        let fit = Fit::new(map.bbox, f64::from(RIGHT - LEFT), f64::from(max_h));
        // The legend and the caption under it stay on the map's page.
        self.ensure(fit.height as f32 + legend_h + CAPTION_H);
        self.open(Role::Figure(alt.to_string()));
        let mark = self.leaf(false);
        let (w, h) = (fit.width as f32, fit.height as f32);
        let frame = [LEFT + (RIGHT - LEFT - w) / 2.0, self.y - h, w, h];
        self.map_drawing(map, &fit, frame, mark);
        self.close();
        self.y -= h + 8.0;
        self.legend(&map.legend);
    }

    fn map_drawing(&mut self, map: &MapData, fit: &Fit, frame: [f32; 4], mark: Mark) {
        let [x0, bottom, w, h] = frame;
        let top = bottom + h;
        let at = |lon: f64, lat: f64| {
            let (x, y) = fit.xy(lon, lat);
            (x0 + x as f32, top - y as f32)
        };
        self.fill(mark, rect(x0, bottom, w, h), (0.93, 0.95, 0.97));
        // Neighbours reach past the view: draw inside its frame only.
        self.draw(mark, Draw::Clip(frame));
        for focus in [false, true] {
            for shape in map.shapes.iter().filter(|s| s.focus == focus) {
                let segs = ring_segs(&shape.polygons, &at);
                let (fill, stroke) = if focus {
                    (rgb(shape.fill), ((0.2, 0.2, 0.2), 0.6))
                } else {
                    ((0.85, 0.87, 0.89), ((0.67, 0.67, 0.67), 0.3))
                };
                self.draw(
                    mark,
                    Draw::Path {
                        segs,
                        fill: Some(fill),
                        even_odd: true,
                        stroke: Some(stroke),
                    },
                );
            }
        }
        // The region's border, heavy, over its municipalities.
        let segs = ring_segs(&map.outline, &at);
        if !segs.is_empty() {
            self.draw(
                mark,
                Draw::Path {
                    segs,
                    fill: None,
                    even_odd: false,
                    stroke: Some(((0.11, 0.14, 0.19), 1.8)),
                },
            );
        }
        for p in &map.points {
            let (x, y) = at(p.lon, p.lat);
            self.draw(mark, dot(x, y, 3.5, rgb(p.colour)));
        }
        self.draw(mark, Draw::Unclip);
        for label in &map.labels {
            let (x, y) = at(label.lon, label.lat);
            let w = text_width(&label.text, 8.0, false);
            // A light box under the name: legible on every tier's colour.
            self.fill(
                mark,
                rect(x - w / 2.0 - 1.5, y + 3.0, w + 3.0, 9.5),
                (1.0, 1.0, 1.0),
            );
            self.text(
                mark,
                x - w / 2.0,
                y + 5.0,
                &label.text,
                8.0,
                false,
                (0.07, 0.07, 0.07),
            );
            if let Some(note) = label.note {
                let w = text_width(note, 7.0, false);
                self.fill(
                    mark,
                    rect(x - w / 2.0 - 1.5, y - 6.5, w + 3.0, 8.5),
                    (1.0, 1.0, 1.0),
                );
                self.text(
                    mark,
                    x - w / 2.0,
                    y - 4.5,
                    note,
                    7.0,
                    false,
                    (0.07, 0.07, 0.07),
                );
            }
        }
    }

    /// The map's legend under it: a coloured square (layout) and its label per item.
    fn legend(&mut self, legend: &[(&'static str, String)]) {
        self.open(Role::List);
        for (colour, label) in legend {
            self.fill(
                Mark::Layout,
                rect(LEFT, self.y - 10.0, 10.0, 10.0),
                rgb(colour),
            );
            self.open(Role::ListItem);
            self.open(Role::ListBody);
            let mark = self.leaf(true);
            self.text(
                mark,
                LEFT + 16.0,
                self.y - 9.0,
                label,
                9.0,
                false,
                (0.1, 0.1, 0.12),
            );
            self.close();
            self.close();
            self.y -= 16.0;
        }
        self.close();
        self.y -= 6.0;
    }
}

impl Default for Flow {
    fn default() -> Self {
        Self::new()
    }
}

const TABLE_SIZE: f32 = 8.0;

/// A row's cells wrapped to their columns.
fn wrap_cells(cells: &[String], widths: &[f32], bold: bool) -> Vec<Vec<String>> {
    cells
        .iter()
        .zip(widths)
        .map(|(c, w)| {
            // An empty cell still says so: a cell without content drops out of the tree.
            let c = if c.trim().is_empty() {
                "–"
            } else {
                c.as_str()
            };
            wrap(c, TABLE_SIZE, bold, w - 6.0)
        })
        .collect()
}

/// The height of a row: its tallest cell.
fn row_height(cells: &[String], widths: &[f32], bold: bool) -> f32 {
    let lines = wrap_cells(cells, widths, bold)
        .iter()
        .map(|w| w.len().max(1))
        .max()
        .unwrap_or(1);
    lines as f32 * TABLE_SIZE * 1.3 + 4.0
}
/// Room kept under the legend for the map's caption.
const CAPTION_H: f32 = 24.0;

/// The columns' widths: in the proportions asked, filling `total`, but no column narrower
/// than its longest word (so that no word is cut in two); the room for that is taken from
/// the columns that have more than they need.
fn column_widths(head: &[String], rows: &[Vec<String>], wish: &[f32], total: f32) -> Vec<f32> {
    let cell = 6.0;
    let longest = |s: &str, bold: bool| {
        s.split_whitespace()
            .map(|w| text_width(w, TABLE_SIZE, bold))
            .fold(0.0_f32, f32::max)
    };
    let need: Vec<f32> = (0..wish.len())
        .map(|c| {
            let body = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| longest(s, false))
                .fold(0.0_f32, f32::max);
            let head = head.get(c).map_or(0.0, |s| longest(s, true));
            body.max(head) + cell
        })
        .collect();
    let sum: f32 = wish.iter().sum();
    let mut widths: Vec<f32> = wish.iter().map(|w| w * total / sum).collect();
    // A few rounds: raise the narrow columns, shrink the others in proportion to their spare.
    for _ in 0..4 {
        let short: f32 = widths
            .iter()
            .zip(&need)
            .map(|(w, n)| (n - w).max(0.0))
            .sum();
        let spare: f32 = widths
            .iter()
            .zip(&need)
            .map(|(w, n)| (w - n).max(0.0))
            .sum();
        if short <= 0.0 || spare <= 0.0 {
            break;
        }
        let take = short.min(spare) / spare;
        for (w, n) in widths.iter_mut().zip(&need) {
            *w = if *w < *n { *n } else { *w - (*w - n) * take };
        }
    }
    widths
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RowKind {
    Head,
    /// The header again at the top of a following page: layout, not read twice.
    RepeatedHead,
    Body,
}

/// The rings of polygons (lon/lat) as closed paths on the page.
fn ring_segs(polygons: &[Vec<Vec<[f64; 2]>>], at: &impl Fn(f64, f64) -> (f32, f32)) -> Vec<Seg> {
    let mut segs = Vec::new();
    for ring in polygons.iter().flatten() {
        for (i, p) in ring.iter().enumerate() {
            let (x, y) = at(p[0], p[1]);
            segs.push(if i == 0 {
                Seg::Move(x, y)
            } else {
                Seg::Line(x, y)
            });
        }
        segs.push(Seg::Close);
    }
    segs
}

/// A dot: four Bézier quarter circles (PDF has no circle operator), white rim.
fn dot(x: f32, y: f32, r: f32, colour: Rgb) -> Draw {
    let k = r * 0.552_284_8;
    Draw::Path {
        segs: vec![
            Seg::Move(x + r, y),
            Seg::Cubic(x + r, y + k, x + k, y + r, x, y + r),
            Seg::Cubic(x - k, y + r, x - r, y + k, x - r, y),
            Seg::Cubic(x - r, y - k, x - k, y - r, x, y - r),
            Seg::Cubic(x + k, y - r, x + r, y - k, x + r, y),
            Seg::Close,
        ],
        fill: Some(colour),
        even_odd: false,
        stroke: Some(((1.0, 1.0, 1.0), 1.0)),
    }
}

/// The colour mark of each table row.
pub fn row_marks(region: &crate::document::RegionReport) -> Vec<&'static str> {
    region.row_status.iter().map(|s| tier_colour(*s)).collect()
}
