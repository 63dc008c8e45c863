//! The report as one self-contained HTML file (inline CSS and SVG map, no scripts, nothing
//! fetched), printable.

use std::fmt::Write;

use super::svg::{escape, svg};
use super::{Block, ListKind, Report, blocks, map_caption, tier_colour};
use crate::analysis::coverage::CoverageStatus;

pub fn to_html(r: &Report) -> String {
    let l = r.lang;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{}</style></head><body><main>"#,
        l.code(),
        escape(&r.title),
        CSS
    );
    for block in blocks(r) {
        block_html(&mut s, l, block);
    }
    s.push_str("</main></body></html>\n");
    s
}

/// One block of the report as HTML, appended to `s`.
fn block_html(s: &mut String, l: super::Lang, block: Block) {
    match block {
        Block::Title(t) => {
            let _ = write!(s, "<h1>{}</h1>", escape(t));
        }
        Block::Meta(question, generated) => {
            let _ = write!(
                s,
                r#"<p class="meta">{}<br>{}</p>"#,
                escape(question),
                escape(&generated)
            );
        }
        Block::Warning(w) => {
            let _ = write!(s, r#"<p class="warn">{}</p>"#, escape(w));
        }
        Block::Region { region, .. } => {
            let _ = write!(
                s,
                r#"<section class="region" id="{}"><h2>{} ({})</h2>"#,
                escape(&region.code),
                escape(&region.name),
                escape(&region.code)
            );
        }
        Block::Heading(h) => {
            let _ = write!(s, "<h3>{}</h3>", escape(h));
        }
        Block::Chapter(h) => {
            let _ = write!(s, "<h2>{}</h2>", escape(h));
        }
        Block::Paragraph(p) | Block::Note(p) => {
            let _ = write!(s, "<p>{}</p>", escape(p));
        }
        Block::Nothing(p) => {
            let _ = write!(s, "<p>{}</p>", p);
        }
        Block::Map(region) => {
            let _ = write!(
                s,
                r#"<figure>{}<figcaption>{}</figcaption></figure>"#,
                // The map's text alternative says the finding in words.
                svg(&region.map, 640.0, 520.0, &map_alt(region)),
                escape(&map_caption(l, region.map.hours))
            );
        }
        Block::List(items, kind) => {
            s.push_str(match kind {
                ListKind::Gaps => r#"<ul class="gaps">"#,
                ListKind::Flags => r#"<ul class="flags">"#,
                ListKind::Sources => "<ul>",
            });
            for item in items {
                let _ = write!(s, "<li>{}</li>", escape(item));
            }
            s.push_str("</ul>");
        }
        Block::Table(region) => table(s, &region.table_head, &region.rows, &region.row_status),
        Block::Compare(c) => table(s, &c.head, &c.rows, &[]),
        Block::Figures(figures) => {
            s.push_str("<dl>");
            for f in figures {
                let _ = write!(
                    s,
                    "<dt>{}: <b>{}</b></dt><dd>{}</dd>",
                    escape(&f.label),
                    escape(&f.value),
                    escape(&f.meaning)
                );
            }
            s.push_str("</dl>");
        }
        Block::RegionEnd => s.push_str("</section>"),
    }
}

/// A table: column header cells on top, the first cell of each row its row's header (with
/// the row's tier colour on its edge, where it has one).
/// The map's text alternative: the verdict, then what the map shows in words.
pub fn map_alt(region: &super::RegionReport) -> String {
    format!(
        "{} {}",
        region.summary.first().unwrap_or(&region.name),
        region.map.description
    )
}

fn table(s: &mut String, head: &[String], rows: &[Vec<String>], status: &[CoverageStatus]) {
    s.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(s, r#"<th scope="col">{}</th>"#, escape(h));
    }
    s.push_str("</tr></thead><tbody>");
    for (r, row) in rows.iter().enumerate() {
        match status.get(r) {
            Some(st) => {
                let _ = write!(
                    s,
                    r#"<tr><th scope="row" style="border-left:6px solid {}">"#,
                    tier_colour(*st)
                );
            }
            None => s.push_str(r#"<tr><th scope="row">"#),
        }
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, "{}</th>", escape(cell));
                continue;
            }
            s.push_str(
                if cell
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '-')
                {
                    r#"<td class="num">"#
                } else {
                    "<td>"
                },
            );
            let _ = write!(s, "{}</td>", escape(cell));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
}

const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;max-width:900px;margin:2em auto;padding:0 1em}h1{font-size:1.5em;color:#1f3a5f}h2{border-bottom:2px solid #1f3a5f;padding-bottom:.2em;margin-top:2em}h3{margin:1.2em 0 .4em}.meta{color:#4a5566}.warn{background:#fff3cd;border:1px solid #e0b100;padding:.5em .8em;font-weight:600}table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #dde1e6;padding:.25em .4em;text-align:left;vertical-align:top}thead th{background:#eef1f5}tbody th{font-weight:normal}td.num{text-align:right;font-variant-numeric:tabular-nums}dt{margin-top:.4em}dd{margin:0 0 .3em 1em;color:#4a5566}.flags li{color:#a11d12}figure{margin:1em 0}figcaption{font-size:.85em;color:#4a5566}section.region{page-break-before:always}section.region:first-of-type{page-break-before:auto}";
