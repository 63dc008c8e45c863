//! Coordinate reference systems of inputs: WGS84 lon/lat (EPSG:4326, also CRS84) or
//! RD New (EPSG:28992, Amersfoort / RD New), which Dutch government data usually uses.
//! Conversion uses proj4rs with the EPSG:28992 definition (Bessel ellipsoid, 7-parameter
//! shift to WGS84): about a metre of error, far below what travel times can resolve.

use proj4rs::Proj;

/// The CRS of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Crs {
    Wgs84,
    RdNew,
}

const RD_NEW: &str = "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs";
const WGS84: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// Errors of CRS handling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error(
        "unsupported coordinate reference system {0:?}: use WGS84 (EPSG:4326) or RD New (EPSG:28992)"
    )]
    Unsupported(String),
    #[error("coordinate {0},{1} cannot be converted from RD New")]
    Convert(f64, f64),
}

impl Crs {
    /// From a GeoJSON `crs` member name such as `urn:ogc:def:crs:EPSG::28992` or `EPSG:4326`.
    pub fn from_name(name: &str) -> Result<Crs, CrsError> {
        let n = name.to_ascii_uppercase();
        if n.ends_with(":28992") || n.ends_with("::28992") {
            Ok(Crs::RdNew)
        } else if n.ends_with(":4326") || n.ends_with("CRS84") || n.ends_with("::4326") {
            Ok(Crs::Wgs84)
        } else {
            Err(CrsError::Unsupported(name.to_string()))
        }
    }

    /// Guesses from a sample coordinate: RD New x is 0–300,000 m and y 300,000–625,000 m,
    /// far outside any longitude/latitude.
    pub fn detect(x: f64, y: f64) -> Crs {
        if x.abs() > 360.0 || y.abs() > 360.0 {
            Crs::RdNew
        } else {
            Crs::Wgs84
        }
    }
}

/// Converts between RD New and WGS84.
pub struct RdConverter {
    rd: Proj,
    wgs: Proj,
}

impl RdConverter {
    pub fn new() -> Self {
        // Both strings are constants known to parse; a failure would be a proj4rs bug.
        let rd =
            Proj::from_proj_string(RD_NEW).unwrap_or_else(|e| panic!("RD New definition: {e:?}"));
        let wgs =
            Proj::from_proj_string(WGS84).unwrap_or_else(|e| panic!("WGS84 definition: {e:?}"));
        RdConverter { rd, wgs }
    }

    /// RD New metres → WGS84 degrees `(lon, lat)`.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(&self.rd, &self.wgs, &mut p)
            .map_err(|_| CrsError::Convert(x, y))?;
        Ok((p.0.to_degrees(), p.1.to_degrees()))
    }

    /// WGS84 degrees → RD New metres `(x, y)`.
    pub fn to_rd(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.wgs, &self.rd, &mut p)
            .map_err(|_| CrsError::Convert(lon, lat))?;
        Ok((p.0, p.1))
    }
}

impl Default for RdConverter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amersfoort_onze_lieve_vrouwetoren_is_the_rd_origin() {
        // The RD origin (155000, 463000) is the tower in Amersfoort: 5.38720621 E, 52.15517440 N.
        let c = RdConverter::new();
        let (lon, lat) = c.to_wgs84(155_000.0, 463_000.0).expect("converts");
        assert!(
            (lon - 5.387206).abs() < 2e-5 && (lat - 52.155174).abs() < 2e-5,
            "{lon},{lat}"
        );
        // Dam square, Amsterdam: RD about (121400, 487400).
        let (x, y) = c.to_rd(4.8932, 52.3731).expect("converts");
        assert!(
            (x - 121_400.0).abs() < 200.0 && (y - 487_400.0).abs() < 200.0,
            "{x},{y}"
        );
        let (lon2, lat2) = c.to_wgs84(x, y).expect("back");
        assert!((lon2 - 4.8932).abs() < 1e-7 && (lat2 - 52.3731).abs() < 1e-7);
    }

    #[test]
    fn names_and_detection() {
        assert_eq!(
            Crs::from_name("urn:ogc:def:crs:EPSG::28992"),
            Ok(Crs::RdNew)
        );
        assert_eq!(Crs::from_name("EPSG:4326"), Ok(Crs::Wgs84));
        assert_eq!(
            Crs::from_name("urn:ogc:def:crs:OGC:1.3:CRS84"),
            Ok(Crs::Wgs84)
        );
        assert!(Crs::from_name("EPSG:3857").is_err());
        assert_eq!(Crs::detect(121_400.0, 487_400.0), Crs::RdNew);
        assert_eq!(Crs::detect(4.89, 52.37), Crs::Wgs84);
    }
}
