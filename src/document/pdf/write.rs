//! The laid-out pages and their structure tree written as PDF/UA-1 by krilla.

use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use super::PdfError;
use super::font::face;
use super::layout::{Child, Draw, Flow, Heading, Mark, Node, PAGE_H, PAGE_W, Page, Rgb, Role, Seg};
use crate::document::{Lang, Report};

/// The document: pages drawn with their marks, then the structure tree and the metadata.
pub fn write(r: &Report, flow: Flow) -> Result<Vec<u8>, PdfError> {
    let laid = flow.finish();
    let mut doc = Document::new_with(settings()?);
    let fonts = Fonts::load()?;
    let mut ids: Vec<Option<Identifier>> = vec![None; laid.leaves];
    for page in &laid.pages {
        draw_page(&mut doc, page, &fonts, &mut ids)?;
    }
    let mut tree = TagTree::new().with_lang(Some(language(r.lang).to_string()));
    for &root in &laid.roots {
        if let Some(group) = group(&laid.nodes, root, &mut ids) {
            tree.push(group);
        }
    }
    doc.set_tag_tree(tree);
    doc.set_outline(outline(&laid.headings));
    doc.set_metadata(
        Metadata::new()
            .title(r.title.clone())
            .language(language(r.lang).to_string())
            .creator(concat!("nabij ", env!("CARGO_PKG_VERSION")).to_string()),
    );
    doc.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => PdfError::Krilla(format!(
            "{} (PDF/UA-1 rules broken: {:?})",
            "validation failed",
            errors.iter().map(|(e, _)| e).collect::<Vec<_>>()
        )),
        other => PdfError::Krilla(other.to_string()),
    })
}

fn language(l: Lang) -> &'static str {
    match l {
        Lang::Nl => "nl-NL",
        Lang::En => "en-GB",
    }
}

/// PDF/UA-1: tagging on, and krilla checks what it can before it writes.
fn settings() -> Result<SerializeSettings, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Krilla(format!("{e:?}")))?;
    Ok(SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    })
}

struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let read = |bold: bool| {
            Font::new(face(bold).data.into(), 0)
                .ok_or_else(|| PdfError::Krilla("the embedded typeface could not be read".into()))
        };
        Ok(Fonts {
            regular: read(false)?,
            bold: read(true)?,
        })
    }
}

/// One page: each run of operations with the same mark is one marked-content sequence.
fn draw_page(
    doc: &mut Document,
    page: &Page,
    fonts: &Fonts,
    ids: &mut [Option<Identifier>],
) -> Result<(), PdfError> {
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Krilla("invalid page size".into()))?;
    let mut p = doc.start_page_with(settings);
    let mut surface = p.surface();
    let mut i = 0;
    while i < page.len() {
        let mark = page[i].0;
        let id = surface.start_tagged(content_tag(mark));
        if let Mark::Leaf { id: leaf, .. } = mark
            && let Some(slot) = ids.get_mut(leaf)
        {
            *slot = Some(id);
        }
        while i < page.len() && page[i].0 == mark {
            draw(&mut surface, &page[i].1, fonts);
            i += 1;
        }
        surface.end_tagged();
    }
    surface.finish();
    p.finish();
    Ok(())
}

fn content_tag(mark: Mark) -> ContentTag<'static> {
    match mark {
        Mark::Leaf { text: true, .. } => ContentTag::Span(SpanTag::empty()),
        Mark::Leaf { text: false, .. } => ContentTag::Other,
        Mark::Layout => ContentTag::Artifact(Artifact::new(ArtifactType::Layout, None)),
        Mark::PageNumber => ContentTag::Artifact(Artifact::new(ArtifactType::PageNumber, None)),
    }
}

fn colour(c: Rgb) -> rgb::Color {
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    rgb::Color::new(byte(c.0), byte(c.1), byte(c.2))
}

fn fill(c: Rgb, rule: FillRule) -> Fill {
    Fill {
        paint: colour(c).into(),
        opacity: NormalizedF32::ONE,
        rule,
    }
}

/// One operation; the layout's y (up from the bottom) becomes krilla's (down from the top).
fn draw(s: &mut Surface<'_>, d: &Draw, fonts: &Fonts) {
    let y_of = |y: f32| PAGE_H - y;
    match d {
        Draw::Text {
            x,
            y,
            text,
            size,
            bold,
            colour: c,
        } => {
            s.set_fill(Some(fill(*c, FillRule::NonZero)));
            s.set_stroke(None);
            let font = if *bold { &fonts.bold } else { &fonts.regular };
            let at = Point::from_xy(*x, y_of(*y));
            s.draw_text(at, font.clone(), *size, text, false, TextDirection::Auto);
        }
        Draw::Path {
            segs,
            fill: f,
            even_odd,
            stroke,
        } => {
            let Some(path) = path(segs, y_of) else { return };
            let rule = if *even_odd {
                FillRule::EvenOdd
            } else {
                FillRule::NonZero
            };
            s.set_fill(f.map(|c| fill(c, rule)));
            s.set_stroke(stroke.map(|(c, width)| Stroke {
                paint: colour(c).into(),
                width,
                ..Stroke::default()
            }));
            s.draw_path(&path);
        }
        Draw::Clip([x, y, w, h]) => {
            let segs = [
                Seg::Move(*x, *y),
                Seg::Line(x + w, *y),
                Seg::Line(x + w, y + h),
                Seg::Line(*x, y + h),
                Seg::Close,
            ];
            if let Some(path) = path(&segs, y_of) {
                s.push_clip_path(&path, &FillRule::NonZero);
            }
        }
        Draw::Unclip => s.pop(),
    }
}

fn path(segs: &[Seg], y_of: impl Fn(f32) -> f32) -> Option<krilla::geom::Path> {
    let mut b = PathBuilder::new();
    for seg in segs {
        match *seg {
            Seg::Move(x, y) => b.move_to(x, y_of(y)),
            Seg::Line(x, y) => b.line_to(x, y_of(y)),
            Seg::Cubic(x1, y1, x2, y2, x, y) => b.cubic_to(x1, y_of(y1), x2, y_of(y2), x, y_of(y)),
            Seg::Close => b.close(),
        }
    }
    b.finish()
}

/// The bookmarks: the title and every chapter and region at the top, the headings within a
/// region under it.
fn outline(headings: &[Heading]) -> Outline {
    let mut outline = Outline::new();
    let mut top: Option<OutlineNode> = None;
    for h in headings {
        let at = XyzDestination::new(h.page, Point::from_xy(0.0, PAGE_H - h.y));
        let node = OutlineNode::new(h.text.clone(), at);
        match (h.level, top.as_mut()) {
            (3.., Some(parent)) => parent.push_child(node),
            _ => {
                if let Some(done) = top.replace(node) {
                    outline.push_child(done);
                }
            }
        }
    }
    if let Some(done) = top {
        outline.push_child(done);
    }
    outline
}

/// A part of the structure tree with its children, in reading order.
fn group(nodes: &[Node], id: usize, ids: &mut [Option<Identifier>]) -> Option<TagGroup> {
    let node = nodes.get(id)?;
    let mut g = TagGroup::new(tag_kind(&node.role));
    for child in &node.children {
        match *child {
            Child::Node(n) => {
                if let Some(c) = group(nodes, n, ids) {
                    g.push(c);
                }
            }
            Child::Leaf(l) => {
                if let Some(identifier) = ids.get_mut(l).and_then(Option::take) {
                    g.push(identifier);
                }
            }
        }
    }
    Some(g)
}

fn tag_kind(role: &Role) -> TagKind {
    match role {
        Role::Heading(level, text) => {
            let level = std::num::NonZeroU16::new(*level).unwrap_or(std::num::NonZeroU16::MIN);
            Tag::Hn(level, Some(text.clone())).into()
        }
        Role::P => Tag::P.into(),
        Role::List => Tag::L(ListNumbering::Disc).into(),
        Role::ListItem => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Table => Tag::Table.into(),
        Role::Row => Tag::TR.into(),
        Role::HeaderCell { column } => Tag::TH(if *column {
            TableHeaderScope::Column
        } else {
            TableHeaderScope::Row
        })
        .into(),
        Role::Cell => Tag::TD.into(),
        Role::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
    }
}
