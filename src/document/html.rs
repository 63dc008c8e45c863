//! The report as one self-contained HTML file (inline CSS and SVG map, no scripts, nothing
//! fetched), printable.

use std::fmt::Write;

use super::svg::{escape, svg};
use super::{Report, tier_colour};

pub fn to_html(r: &Report) -> String {
    let l = r.lang;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!doctype html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{}</style></head><body>"#,
        l.code(),
        escape(&r.title),
        CSS
    );
    let _ = write!(s, "<h1>{}</h1>", escape(&r.title));
    let _ = write!(
        s,
        r#"<p class="meta">{}<br>{}: {}</p>"#,
        escape(&r.question),
        l.pick("Gemaakt", "Generated"),
        escape(&r.generated)
    );
    if let Some(n) = &r.synthetic_notice {
        let _ = write!(s, r#"<p class="warn">{}</p>"#, escape(n));
    }
    for region in &r.regions {
        let _ = write!(
            s,
            r#"<section class="region" id="{}"><h2>{} ({})</h2>"#,
            escape(&region.code),
            escape(&region.name),
            escape(&region.code)
        );
        let _ = write!(s, "<h3>{}</h3>", l.pick("Samenvatting", "Summary"));
        for p in &region.summary {
            let _ = write!(s, "<p>{}</p>", escape(p));
        }
        let _ = write!(
            s,
            r#"<figure>{}<figcaption>{}</figcaption></figure>"#,
            svg(&region.map, 640.0, 520.0, &region.name),
            l.pick(
                "Kaart: gemeenten van de regio naar niveau; buurgemeenten grijs; stippen: passende voorzieningen.",
                "Map: the region's municipalities by tier; neighbours grey; dots: suitable facilities."
            )
        );
        let _ = write!(s, "<h3>{}</h3>", l.pick("Gaten", "Gaps"));
        if region.gaps.is_empty() {
            let _ = write!(
                s,
                "<p>{}</p>",
                l.pick(
                    "Geen: elke gemeente bereikt binnen de limiet een passende voorziening.",
                    "None: every municipality reaches a suitable facility within the limit."
                )
            );
        } else {
            s.push_str(r#"<ul class="gaps">"#);
            for g in &region.gaps {
                let _ = write!(s, "<li>{}</li>", escape(g));
            }
            s.push_str("</ul>");
        }
        let _ = write!(
            s,
            "<h3>{}</h3><table><thead><tr>",
            l.pick("Gemeenten", "Municipalities")
        );
        for h in &region.table_head {
            let _ = write!(s, "<th>{}</th>", escape(h));
        }
        s.push_str("</tr></thead><tbody>");
        for (row, status) in region.rows.iter().zip(&region.row_status) {
            let _ = write!(
                s,
                r#"<tr><td style="border-left:6px solid {}">"#,
                tier_colour(*status)
            );
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
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
                }
                let _ = write!(s, "{}</td>", escape(cell));
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table>");
        let _ = write!(
            s,
            "<h3>{}</h3><dl>",
            l.pick("Eerlijke spreiding: de cijfers", "Fair spread: the figures")
        );
        for f in &region.figures {
            let _ = write!(
                s,
                "<dt>{}: <b>{}</b></dt><dd>{}</dd>",
                escape(&f.label),
                escape(&f.value),
                escape(&f.meaning)
            );
        }
        s.push_str("</dl>");
        let _ = write!(s, "<h3>{}</h3>", l.pick("Signalen", "Flags"));
        if region.flags.is_empty() {
            let _ = write!(
                s,
                "<p>{}</p>",
                l.pick(
                    "Geen: de regio voldoet aan elke verwachting.",
                    "None: the region meets every expectation."
                )
            );
        } else {
            s.push_str(r#"<ul class="flags">"#);
            for f in &region.flags {
                let _ = write!(s, "<li>{}</li>", escape(f));
            }
            s.push_str("</ul>");
        }
        if !region.advice.is_empty() {
            let _ = write!(s, "<h3>{}</h3>", l.pick("Advies", "Advice"));
            for p in &region.advice {
                let _ = write!(s, "<p>{}</p>", escape(p));
            }
        }
        s.push_str("</section>");
    }
    let _ = write!(s, "<h2>{}</h2>", l.pick("Methode", "Method"));
    for p in &r.method {
        let _ = write!(s, "<p>{}</p>", escape(p));
    }
    let _ = write!(s, "<h2>{}</h2><ul>", l.pick("Bronnen", "Sources"));
    for p in &r.sources {
        let _ = write!(s, "<li>{}</li>", escape(p));
    }
    s.push_str("</ul></body></html>\n");
    s
}

const CSS: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2430;max-width:900px;margin:2em auto;padding:0 1em}h1{font-size:1.5em;color:#1f3a5f}h2{border-bottom:2px solid #1f3a5f;padding-bottom:.2em;margin-top:2em}h3{margin:1.2em 0 .4em}.meta{color:#4a5566}.warn{background:#fff3cd;border:1px solid #e0b100;padding:.5em .8em;font-weight:600}table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #dde1e6;padding:.25em .4em;text-align:left;vertical-align:top}th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}dt{margin-top:.4em}dd{margin:0 0 .3em 1em;color:#4a5566}.flags li{color:#a11d12}figure{margin:1em 0}figcaption{font-size:.85em;color:#4a5566}section.region{page-break-before:always}section.region:first-of-type{page-break-before:auto}";
