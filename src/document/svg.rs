//! The region map as SVG (for the HTML report), and the projection the PDF map shares.

use std::fmt::Write;

use super::MapData;

/// Lon/lat to page coordinates: equirectangular with the longitude scaled by the cosine of
/// the mid latitude (true enough for a region), fitted into `width` × `height` with the
/// aspect kept; y grows downwards.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    min_lon: f64,
    max_lat: f64,
    scale: f64,
    kx: f64,
    pub width: f64,
    pub height: f64,
}

impl Fit {
    pub fn new(bbox: [f64; 4], width: f64, max_height: f64) -> Fit {
        let mid = ((bbox[1] + bbox[3]) / 2.0).to_radians();
        let kx = mid.cos().max(0.1);
        let w = ((bbox[2] - bbox[0]) * kx).max(1e-9);
        let h = (bbox[3] - bbox[1]).max(1e-9);
        let scale = (width / w).min(max_height / h);
        Fit {
            min_lon: bbox[0],
            max_lat: bbox[3],
            scale,
            kx,
            width: w * scale,
            height: h * scale,
        }
    }

    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.min_lon) * self.kx * self.scale,
            (self.max_lat - lat) * self.scale,
        )
    }
}

/// Text for SVG/HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The map as an SVG element, `width` pixels wide, with its legend below.
pub fn svg(map: &MapData, width: f64, max_height: f64, title: &str) -> String {
    let fit = Fit::new(map.bbox, width, max_height);
    let legend_h = 18.0 * map.legend.len() as f64 + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.1} {h:.1}"><title>{t}</title>"#,
        w = fit.width,
        h = fit.height + legend_h,
        t = escape(title)
    );
    let _ = write!(
        s,
        r##"<rect width="{:.1}" height="{:.1}" fill="#eef3f7"/>"##,
        fit.width, fit.height
    );
    // Neighbours first, the region on top.
    for focus in [false, true] {
        for shape in map.shapes.iter().filter(|sh| sh.focus == focus) {
            let mut d = String::new();
            for poly in &shape.polygons {
                for ring in poly {
                    for (i, p) in ring.iter().enumerate() {
                        let (x, y) = fit.xy(p[0], p[1]);
                        let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
                    }
                    d.push('Z');
                }
            }
            let _ = write!(
                s,
                r##"<path d="{d}" fill="{}" fill-opacity="{}" fill-rule="evenodd" stroke="{}" stroke-width="{}"/>"##,
                if focus { shape.fill } else { "#d9dde2" },
                if focus { "0.9" } else { "0.7" },
                if focus { "#333" } else { "#aaa" },
                if focus { "0.8" } else { "0.5" },
            );
        }
    }
    // The region's border, heavy, over its municipalities.
    let mut d = String::new();
    for ring in map.outline.iter().flatten() {
        for (i, p) in ring.iter().enumerate() {
            let (x, y) = fit.xy(p[0], p[1]);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
        }
        d.push('Z');
    }
    if !d.is_empty() {
        let _ = write!(
            s,
            r##"<path d="{d}" fill="none" stroke="#1d2430" stroke-width="2.4" stroke-linejoin="round"/>"##
        );
    }
    for p in &map.points {
        let (x, y) = fit.xy(p.lon, p.lat);
        if x < 0.0 || y < 0.0 || x > fit.width || y > fit.height {
            continue;
        }
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{}" stroke="#fff" stroke-width="1.5"/>"##,
            p.colour
        );
    }
    // Names over everything, with a white halo so that they read on any tier's colour.
    for label in &map.labels {
        let (x, y) = fit.xy(label.lon, label.lat);
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" font-size="11" font-family="sans-serif" text-anchor="middle" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
            y - 7.0,
            escape(&label.text)
        );
        if let Some(note) = label.note {
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="{:.1}" font-size="9" font-style="italic" font-family="sans-serif" text-anchor="middle" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                y + 4.0,
                escape(note)
            );
        }
    }
    for (i, (colour, label)) in map.legend.iter().enumerate() {
        let y = fit.height + 8.0 + 18.0 * i as f64;
        let _ = write!(
            s,
            r##"<rect x="4" y="{y:.0}" width="12" height="12" fill="{colour}" stroke="#555" stroke-width="0.5"/><text x="22" y="{:.0}" font-size="12" font-family="sans-serif">{}</text>"##,
            y + 10.0,
            escape(label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_keeps_the_aspect_and_flips_y() {
        let f = Fit::new([4.0, 52.0, 5.0, 53.0], 600.0, 600.0);
        let (x0, y0) = f.xy(4.0, 53.0);
        let (x1, y1) = f.xy(5.0, 52.0);
        assert_eq!((x0, y0), (0.0, 0.0));
        assert!((y1 - 600.0).abs() < 1e-6, "{y1}");
        // One degree of longitude at 52.5° is about 0.61 of a degree of latitude.
        assert!((x1 / y1 - 52.5f64.to_radians().cos()).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;"
        );
    }
}
