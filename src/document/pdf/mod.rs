//! The report as an accessible PDF (PDF/UA-1), made in-process with krilla.
//!
//! Three steps: [`layout`] sets the report's blocks on A4 pages as drawing operations and
//! builds the structure tree beside them (headings, paragraphs, lists, tables with header
//! cells, the map as a figure whose text alternative states the finding); [`write`] hands
//! both to krilla, which embeds the subset fonts with ToUnicode maps, writes the structure
//! tree, `/Lang`, the title and the PDF/UA identification, and refuses a document that
//! breaks a rule it can check. Why krilla: docs/ARCHITECTURE.md, "The accessible PDF".

pub mod font;
pub mod layout;
mod write;

use layout::{Flow, Role, row_marks};
use thiserror::Error;

use super::{Block, ListKind, Report, blocks, map_caption};

/// Why the PDF could not be made.
#[derive(Debug, Error)]
pub enum PdfError {
    /// krilla refused the document (a PDF/UA rule it checks is broken, or a font failed).
    #[error("the PDF could not be written: {0}")]
    Krilla(String),
}

const DARK: layout::Rgb = (0.11, 0.14, 0.19);
const GREY: layout::Rgb = (0.29, 0.33, 0.4);
const RED: layout::Rgb = (0.63, 0.11, 0.07);
const BLUE: layout::Rgb = (0.12, 0.23, 0.37);

/// The report as PDF bytes.
pub fn to_pdf(r: &Report) -> Result<Vec<u8>, PdfError> {
    let mut f = Flow::new();
    for block in blocks(r) {
        lay_out(&mut f, r, block);
    }
    write::write(r, f)
}

/// One block on the pages, in its role.
fn lay_out(f: &mut Flow, r: &Report, block: Block<'_>) {
    match block {
        Block::Title(t) => f.para_as(Role::Heading(1, t.to_string()), t, 17.0, true, BLUE),
        Block::Meta(question, generated) => {
            f.para(question, 10.0, false, GREY);
            f.para(&generated, 9.0, false, GREY);
        }
        Block::Warning(w) => f.para(w, 10.0, true, (0.55, 0.35, 0.0)),
        Block::Region { region, first } => {
            if !first {
                f.new_page();
            }
            f.heading(&format!("{} ({})", region.name, region.code), 15.0, 2);
        }
        Block::Heading(h) => f.heading(h, 12.0, 3),
        Block::Chapter(h) => f.heading(h, 13.0, 2),
        Block::Paragraph(p) | Block::Nothing(p) => f.para(p, 10.0, false, DARK),
        Block::Note(p) => f.para(p, 9.5, false, DARK),
        Block::Map(region) => {
            // The map's text alternative says the finding in words, as in the HTML report.
            f.map(&region.map, 330.0, &super::html::map_alt(region));
            f.para(&map_caption(r.lang, region.map.hours), 8.0, false, GREY);
        }
        Block::List(items, kind) => {
            let (size, colour) = match kind {
                ListKind::Gaps => (10.0, DARK),
                ListKind::Flags => (10.0, RED),
                ListKind::Sources => (9.5, DARK),
            };
            f.list(items, size, colour);
        }
        Block::Table(region) => f.table(
            &region.table_head,
            &region.rows,
            &row_marks(region),
            &[100.0, 85.0, 45.0, 55.0, 105.0, 50.0, 45.0, 50.0],
        ),
        Block::Compare(c) => f.table(&c.head, &c.rows, &[], &[3.0, 1.0, 1.0]),
        Block::Figures(figures) => {
            for fig in figures {
                f.para(&format!("{}: {}", fig.label, fig.value), 10.0, true, DARK);
                f.para(&fig.meaning, 9.0, false, GREY);
            }
        }
        Block::RegionEnd => {}
    }
}
