//! The coordinate reference systems of OGC API – Features Part 2: CRS84 (lon, lat), EPSG:4258
//! (ETRS89, lat, lon, served with WGS84's coordinates: in the Netherlands they differ by under
//! a metre) and EPSG:28992 (RD New, through proj4rs); positions converted in place, a bbox
//! read in any of them, and the `Content-Crs` header.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde_json::{Value, json};

use crate::api::ApiError;

pub(super) const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

pub(super) const ETRS89: &str = "http://www.opengis.net/def/crs/EPSG/0/4258";

pub(super) const RD_NEW: &str = "http://www.opengis.net/def/crs/EPSG/0/28992";

/// A CRS of the answer or of a bbox.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Crs {
    Crs84,
    Etrs89,
    Rd,
}

impl Crs {
    pub(super) fn parse(parameter: &str, v: Option<&str>) -> Result<Self, ApiError> {
        match v.map(str::trim) {
            None | Some(CRS84) | Some("CRS84") => Ok(Crs::Crs84),
            Some(ETRS89) | Some("EPSG:4258") => Ok(Crs::Etrs89),
            Some(RD_NEW) | Some("EPSG:28992") => Ok(Crs::Rd),
            Some(other) => Err(ApiError::bad(
                parameter,
                format!("{other:?} is not offered; use {CRS84}, {ETRS89} or {RD_NEW}"),
            )),
        }
    }

    pub(super) fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => CRS84,
            Crs::Etrs89 => ETRS89,
            Crs::Rd => RD_NEW,
        }
    }

    /// A WGS84 lon/lat position in this CRS (EPSG:4258 in its own axis order, lat first).
    pub(super) fn of_wgs84(self, rd: &crate::app::RdConverter, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (lon, lat),
            Crs::Etrs89 => (lat, lon),
            Crs::Rd => rd.to_rd(lon, lat).map_or((f64::NAN, f64::NAN), |(x, y)| {
                ((x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0)
            }),
        }
    }

    /// A position in this CRS as WGS84 lon/lat.
    pub(super) fn to_wgs84(
        self,
        rd: &crate::app::RdConverter,
        a: f64,
        b: f64,
    ) -> Option<(f64, f64)> {
        match self {
            Crs::Crs84 => Some((a, b)),
            Crs::Etrs89 => Some((b, a)),
            Crs::Rd => rd.to_wgs84(a, b).ok(),
        }
    }
}

/// Converts every position of a GeoJSON geometry in place.
pub(super) fn convert(v: &mut Value, f: &dyn Fn(f64, f64) -> (f64, f64)) {
    if let Some(items) = v.as_array_mut() {
        if items.len() >= 2 && items.iter().all(Value::is_number) {
            let (a, b) = (
                items[0].as_f64().unwrap_or(f64::NAN),
                items[1].as_f64().unwrap_or(f64::NAN),
            );
            let (x, y) = f(a, b);
            items[0] = json!(x);
            items[1] = json!(y);
        } else {
            for i in items {
                convert(i, f);
            }
        }
    }
}

/// The bbox parameter as a WGS84 rectangle.
pub(super) fn bbox_wgs84(
    bbox: &str,
    crs: Crs,
    rd: &crate::app::RdConverter,
) -> Result<geo::Rect<f64>, ApiError> {
    let bad = || {
        ApiError::bad(
            "bbox",
            "give minx,miny,maxx,maxy (four numbers, or six with heights; in bbox-crs)",
        )
    };
    let n: Vec<f64> = bbox
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    // Four numbers, or six with heights (which a 2D answer ignores).
    let n = match n.len() {
        4 => n,
        6 => vec![n[0], n[1], n[3], n[4]],
        _ => return Err(bad()),
    };
    if n.iter().any(|x| !x.is_finite()) || n[0] > n[2] || n[1] > n[3] {
        return Err(bad());
    }
    let corners = [(n[0], n[1]), (n[0], n[3]), (n[2], n[1]), (n[2], n[3])];
    let pts: Vec<(f64, f64)> = corners
        .iter()
        .map(|&(a, b)| crs.to_wgs84(rd, a, b).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    let (mut lo, mut hi) = (
        (f64::INFINITY, f64::INFINITY),
        (f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for (x, y) in pts {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    Ok(geo::Rect::new(lo, hi))
}

pub(super) fn intersects(f: &Value, rect: &geo::Rect<f64>) -> bool {
    use geo::Intersects;
    serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
        .ok()
        .and_then(|g| geo::Geometry::<f64>::try_from(g.value).ok())
        .is_some_and(|g| g.intersects(rect))
}

pub(super) fn content_crs(resp: &mut HttpResponse, crs: Crs) {
    if let Ok(v) = header::HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        resp.headers_mut()
            .insert(header::HeaderName::from_static("content-crs"), v);
    }
}
