//! The route table: the single source from which the router registers its handlers and the
//! OpenAPI 3 document (`/api/v1/openapi.json`) is generated, so the two cannot drift apart.

mod document;

pub use document::document;

/// Which handler serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteId {
    Health,
    Meta,
    Coverage,
    CoverageOne,
    Regions,
    Facilities,
    FacilityOne,
    TravelTime,
    Isochrone,
    Metrics,
    OpenApi,
    Matrix,
    Scenarios,
    ScenarioPreview,
    ScenarioOne,
    ScenarioCoverage,
    ScenarioRegions,
    ScenarioDiff,
    Advice,
    Report,
    ScenarioReport,
    Page,
    Asset,
    OgcLanding,
    OgcConformance,
    OgcCollections,
    OgcCollection,
    OgcItems,
    OgcItem,
    OgcSchema,
    Problems,
}

/// A documented parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub path: bool,
    pub required: bool,
    /// `string`, `number` or `integer`.
    pub kind: &'static str,
    pub values: &'static [&'static str],
    pub description: &'static str,
}

/// A documented route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub id: RouteId,
    /// OpenAPI path (`{code}` style, which actix reads the same way, so it is registered as is).
    pub path: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Media types of the 200 response.
    pub produces: &'static [&'static str],
    /// The methods it answers (every `GET` route answers `HEAD` too).
    pub methods: Methods,
}

/// The methods of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    /// `GET` and `HEAD`.
    Get,
    /// `POST` with a JSON body.
    Post,
    /// `GET`/`HEAD` to list, `POST` to create (the route's parameters are the `POST`'s).
    GetPost,
    /// `GET`/`HEAD` to read, `DELETE` to remove.
    GetDelete,
}

impl Methods {
    /// The `Allow` header.
    pub fn allow(self) -> &'static str {
        match self {
            Methods::Get => "GET, HEAD",
            Methods::Post => "POST",
            Methods::GetPost => "GET, HEAD, POST",
            Methods::GetDelete => "GET, HEAD, DELETE",
        }
    }

    pub fn allows(self, m: &str) -> bool {
        self.allow().split(", ").any(|a| a == m)
    }

    pub fn get(self) -> bool {
        self.allows("GET")
    }
}

const fn q(name: &'static str, kind: &'static str, description: &'static str) -> Param {
    Param {
        name,
        path: false,
        required: false,
        kind,
        values: &[],
        description,
    }
}

const NEED: [Param; 10] = [
    q(
        "need",
        "string",
        "A named need profile: kleinschalig (default), kleinschalig_verblijf, kleinschalig_jeugdzorgplus, kvjj, and for comparison jeugdzorgplus, jji.",
    ),
    q(
        "as_of",
        "string",
        "Count the facilities open on this date (YYYY-MM-DD) from their opening and closing dates.",
    ),
    q(
        "minutes",
        "number",
        "Travel limit in minutes (1 to 240, default 45).",
    ),
    q(
        "type",
        "string",
        "Facility types that count, comma-separated (default: the profile's; an unknown type is a 400).",
    ),
    q(
        "age",
        "number",
        "An age that must lie in the facility's age range.",
    ),
    q(
        "min_free_places",
        "number",
        "At least this many free places.",
    ),
    Param {
        name: "status",
        path: false,
        required: false,
        kind: "string",
        values: &["active", "active,planned"],
        description: "Count planned facilities too with active,planned.",
    },
    Param {
        name: "direction",
        path: false,
        required: false,
        kind: "string",
        values: &["to", "from"],
        description: "Travel to the facility (default) or from it.",
    },
    PERIOD_WITH_BOTH,
    q(
        "fragile_margin",
        "number",
        "A municipality is kwetsbaar (fragile) when travel times changing by less than this share would change its tier (0.01 to 0.5, default 0.10).",
    ),
];

/// The period whose travel times answer (routing endpoints: one period).
const PERIOD: Param = Param {
    name: "period",
    path: false,
    required: false,
    kind: "string",
    values: &["free", "peak"],
    description: "Travel times of this period: free (free-flow, the default) or peak (weekday rush hour; the profile's speed factors per road class, docs/PROFILE.md).",
};

/// The period of a coverage question: one, or both side by side.
const PERIOD_WITH_BOTH: Param = Param {
    name: "period",
    path: false,
    required: false,
    kind: "string",
    values: &["free", "peak", "both"],
    description: "Travel times of this period: free (free-flow, the default), peak (weekday rush hour), or both: each municipality's tier in both (status_peak) and whether it holds at every hour (robust).",
};

const FORMAT: Param = Param {
    name: "format",
    path: false,
    required: false,
    kind: "string",
    values: &["geojson", "csv", "json", "xlsx", "gpkg"],
    description: "Output format (default geojson); xlsx: an Excel workbook with a municipalities and a regions sheet; gpkg: a GeoPackage with municipalities (styled by tier for QGIS), regions and facilities.",
};

const SCENARIO_COVERAGE_PARAMS: [Param; 12] = joined(&[&[SCENARIO_ID, FORMAT], &NEED, &[]]);

const SCENARIO_REGIONS_PARAMS: [Param; 12] = joined(&[
    &[SCENARIO_ID],
    &NEED,
    &[q(
        "grouping",
        "string",
        "jeugdregio (default), provincie, or a custom grouping.",
    )],
]);

/// Parameter lists joined at compile time (the need parameters stand in many routes):
/// `OUT` must be the lists' total length, or the build fails.
const fn joined<const OUT: usize>(parts: &[&[Param]]) -> [Param; OUT] {
    let mut out = [NEED[0]; OUT];
    let (mut i, mut k) = (0, 0);
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            assert!(
                k < OUT,
                "a joined parameter list is longer than its type says"
            );
            out[k] = parts[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(
        k == OUT,
        "a joined parameter list is shorter than its type says"
    );
    out
}

/// The content type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The language of the labels in a data output (`status_label`).
const LANG: Param = Param {
    name: "lang",
    path: false,
    required: false,
    kind: "string",
    values: &["nl", "en"],
    description: "Language of the labels in the data (default nl).",
};

/// The CSV dialect.
const CSV_DIALECT: Param = Param {
    name: "csv_dialect",
    path: false,
    required: false,
    kind: "string",
    values: &["standard", "nl"],
    description: "CSV dialect: standard (comma, decimal point; the default) or nl (semicolon, decimal comma, UTF-8 with BOM: opens in columns in Dutch Excel).",
};

const COVERAGE_PARAMS: [Param; 13] = joined(&[&[], &NEED, &[FORMAT, LANG, CSV_DIALECT]]);
const ONE_PARAMS: [Param; 11] = joined(&[
    &[Param {
        name: "code",
        path: true,
        required: true,
        kind: "string",
        values: &[],
        description: "Municipality code, e.g. GM0363.",
    }],
    &NEED,
    &[],
]);
const REGION_PARAMS: [Param; 14] = joined(&[
    &[q(
        "grouping",
        "string",
        "jeugdregio (default), provincie, or a custom grouping.",
    )],
    &NEED,
    &[
        Param {
            name: "format",
            path: false,
            required: false,
            kind: "string",
            values: &["json", "geojson", "csv"],
            description: "Output format: json (default, the regional table), geojson (each region's polygon, the union of its municipalities, with its figures) or csv.",
        },
        LANG,
        CSV_DIALECT,
    ],
]);

const SCENARIO_ID: Param = Param {
    name: "id",
    path: true,
    required: true,
    kind: "string",
    values: &[],
    description: "Scenario id (16 hex digits).",
};

const ADVICE_PARAMS: [Param; 15] = joined(&[
    &[],
    &NEED,
    &[
        q("add", "integer", "How many new units (1 to 20, default 1)."),
        q(
            "region",
            "string",
            "Only sites in, and young people of, this region (a code of any grouping).",
        ),
        Param {
            name: "objective",
            path: false,
            required: false,
            kind: "string",
            values: &["fairness", "coverage", "median"],
            description: "fairness (default): the worst-served region first; coverage: most young people newly within the limit (maximal covering); median: least demand-weighted travel time (p-median).",
        },
        q(
            "unit_type",
            "string",
            "Type of the new units (default: the need's first type).",
        ),
        q(
            "places",
            "number",
            "Places per new unit (default: the type's usual size).",
        ),
    ],
]);

/// A scenario tried before saving: the need, and the grouping of its regions.
const PREVIEW_PARAMS: [Param; 11] = joined(&[
    &[],
    &NEED,
    &[q(
        "grouping",
        "string",
        "jeugdregio (default), provincie, or a custom grouping.",
    )],
]);

/// A saved scenario's report: the report's own parameters (the need is the scenario's).
const SCENARIO_REPORT_PARAMS: [Param; 5] = [
    SCENARIO_ID,
    REPORT_PARAMS[NEED.len()],
    REPORT_PARAMS[NEED.len() + 1],
    REPORT_PARAMS[NEED.len() + 2],
    REPORT_PARAMS[NEED.len() + 3],
];

const REPORT_PARAMS: [Param; 14] = joined(&[
    &[],
    &NEED,
    &[
        Param {
            name: "region",
            path: false,
            required: true,
            kind: "string",
            values: &[],
            description: "The region's code in the grouping (e.g. JZ93), or all.",
        },
        q(
            "grouping",
            "string",
            "jeugdregio (default), provincie, or a custom grouping.",
        ),
        Param {
            name: "format",
            path: false,
            required: false,
            kind: "string",
            values: &["html", "pdf"],
            description: "html (default) or pdf.",
        },
        Param {
            name: "lang",
            path: false,
            required: false,
            kind: "string",
            values: &["nl", "en"],
            description: "nl (default) or en.",
        },
    ],
]);

/// Every route the service answers.
pub const ROUTES: &[Route] = &[
    Route {
        id: RouteId::Page,
        path: "/",
        summary: "The map page for planners (Dutch, English on a switch): municipalities coloured by tier or figure, facilities, the regional table, downloads and the report. Works offline.",
        params: &[],
        produces: &["text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Asset,
        path: "/assets/{file}",
        summary: "The map page's script, style and Leaflet (embedded in the binary).",
        params: &[Param {
            name: "file",
            path: true,
            required: true,
            kind: "string",
            values: &[],
            description: "app.js, style.css, leaflet.js, leaflet.css or leaflet-LICENSE.txt.",
        }],
        produces: &["text/javascript", "text/css", "text/plain"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Health,
        path: "/health",
        summary: "Liveness and readiness (the graph is loaded).",
        params: &[],
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Meta,
        path: "/api/v1/meta",
        summary: "Data sources, graph build, profile, counts and the synthetic-roads label.",
        params: &[],
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Coverage,
        path: "/api/v1/coverage",
        summary: "Coverage of every municipality for a need profile.",
        params: &COVERAGE_PARAMS,
        produces: &[
            "application/geo+json",
            "text/csv",
            "application/json",
            XLSX,
            "application/geopackage+sqlite3",
        ],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::CoverageOne,
        path: "/api/v1/coverage/{code}",
        summary: "One municipality with its nearest suitable facilities and times.",
        params: &ONE_PARAMS,
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Regions,
        path: "/api/v1/regions",
        summary: "Fairness per region of a grouping, with the gap municipalities; as a table, region polygons or CSV.",
        params: &REGION_PARAMS,
        produces: &["application/json", "application/geo+json", "text/csv"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Facilities,
        path: "/api/v1/facilities",
        summary: "The facilities as GeoJSON points.",
        params: &[
            q(
                "type",
                "string",
                "Only this type (an unknown type is a 400).",
            ),
            Param {
                name: "status",
                path: false,
                required: false,
                kind: "string",
                values: &["active", "planned", "closed"],
                description: "Only this status.",
            },
        ],
        produces: &["application/geo+json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::FacilityOne,
        path: "/api/v1/facilities/{id}",
        summary: "One facility.",
        params: &[Param {
            name: "id",
            path: true,
            required: true,
            kind: "string",
            values: &[],
            description: "Facility id.",
        }],
        produces: &["application/geo+json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::TravelTime,
        path: "/api/v1/travel-time",
        summary: "Travel time and distance by car between two points.",
        params: &[
            Param {
                name: "from",
                path: false,
                required: true,
                kind: "string",
                values: &[],
                description: "LON,LAT (WGS84).",
            },
            Param {
                name: "to",
                path: false,
                required: true,
                kind: "string",
                values: &[],
                description: "LON,LAT (WGS84).",
            },
            PERIOD,
        ],
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Isochrone,
        path: "/api/v1/isochrone",
        summary: "The area reachable within N minutes, as a GeoJSON polygon.",
        params: &[
            Param {
                name: "at",
                path: false,
                required: true,
                kind: "string",
                values: &[],
                description: "Where the isochrone is centred: a facility id or LON,LAT (WGS84).",
            },
            Param {
                name: "minutes",
                path: false,
                required: true,
                kind: "number",
                values: &[],
                description: "1 to 240.",
            },
            Param {
                name: "direction",
                path: false,
                required: false,
                kind: "string",
                values: &["to", "from"],
                description: "to (default): the area from which the place is reached, as in coverage; from: the area reached from it.",
            },
            PERIOD,
        ],
        produces: &["application/geo+json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Matrix,
        path: "/api/v1/matrix",
        summary: "Travel times and distances by car between every origin and every destination: JSON body {\"origins\": [[lon, lat], ...], \"destinations\": [[lon, lat], ...], \"max_minutes\": optional, \"period\": \"free\" (default) or \"peak\"}; answers {\"seconds\": [[...]], \"meters\": [[...]], \"reasons\": [[...]]} with null where there is no route. At most 250,000 pairs.",
        params: &[],
        produces: &["application/json"],
        methods: Methods::Post,
    },
    Route {
        id: RouteId::Scenarios,
        path: "/api/v1/scenarios",
        summary: "GET: the saved scenarios, newest first. POST: compute and save a scenario (JSON body {\"name\": ..., \"changes\": [{\"op\": \"add\"|\"close\"|\"set_places\"|\"set_type\"|\"move\", ...}]}; the need profile from the query). Answers 201 with the id and a Location header. Needs Authorization: Bearer <write token>.",
        params: &NEED,
        produces: &["application/json"],
        methods: Methods::GetPost,
    },
    Route {
        id: RouteId::ScenarioPreview,
        path: "/api/v1/scenarios/preview",
        summary: "A scenario computed without saving it (no token needed): body as for saving; the answer has `coverage` (GeoJSON per municipality with `status_before` and `effect`), `regions` (the grouping's regions with the scenario, and `changes` per region) and `diff` (the summary, without the per-municipality rows). For trying changes before saving them.",
        params: &PREVIEW_PARAMS,
        produces: &["application/json"],
        methods: Methods::Post,
    },
    Route {
        id: RouteId::ScenarioOne,
        path: "/api/v1/scenarios/{id}",
        summary: "GET: one saved scenario with its diff against the baseline loaded now (baseline_changed says whether that differs from the one it was saved with). DELETE: remove it (bearer token).",
        params: &[SCENARIO_ID],
        produces: &["application/json"],
        methods: Methods::GetDelete,
    },
    Route {
        id: RouteId::ScenarioCoverage,
        path: "/api/v1/scenarios/{id}/coverage",
        summary: "A saved scenario's coverage per municipality, with each one's tier before (status_before) and its effect (better, same, worse). With need parameters, the scenario answers that question instead of the one it was saved with (the map page's controls).",
        params: &SCENARIO_COVERAGE_PARAMS,
        produces: &["application/geo+json", "text/csv", "application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::ScenarioRegions,
        path: "/api/v1/scenarios/{id}/regions",
        summary: "A saved scenario's regions of one grouping (with need parameters: for that question instead of the saved one).",
        params: &SCENARIO_REGIONS_PARAMS,
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::ScenarioDiff,
        path: "/api/v1/scenarios/{id}/diff",
        summary: "A saved scenario's difference from the baseline (or, with `against`, from another saved scenario of the same question): municipalities changing tier, young people gaining or losing access, region flags cleared or raised.",
        params: &[
            SCENARIO_ID,
            Param {
                name: "format",
                path: false,
                required: false,
                kind: "string",
                values: &["json", "csv"],
                description: "Output format (default json).",
            },
            q(
                "against",
                "string",
                "Another saved scenario's id: the difference from that scenario instead of from today (both must be saved for the same question).",
            ),
        ],
        produces: &["application/json", "text/csv"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Advice,
        path: "/api/v1/advice",
        summary: "Siting advice: where K new units serve the objective best, each site with its gain, the bound on the best possible, and the advice checked as a scenario.",
        params: &ADVICE_PARAMS,
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Report,
        path: "/api/v1/report",
        summary: "The policy report of one region (or every region with region=all): summary in plain sentences, a map, the municipalities with their tier, minutes and supply against demand, the fairness figures and their meaning, the gaps, siting advice, method and sources. HTML or PDF, Dutch or English.",
        params: &REPORT_PARAMS,
        produces: &["text/html", "application/pdf"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::ScenarioReport,
        path: "/api/v1/scenarios/{id}/report",
        summary: "The policy report of a saved scenario (its need as saved): the region with the scenario's facilities, today's figures beside it (tiers, flags, places, demand), and the changes in words. HTML or PDF, Dutch or English.",
        params: &SCENARIO_REPORT_PARAMS,
        produces: &["text/html", "application/pdf"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Metrics,
        path: "/metrics",
        summary: "Prometheus metrics: requests, latencies, cache hits.",
        params: &[],
        produces: &["text/plain"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OpenApi,
        path: "/api/v1/openapi.json",
        summary: "This document.",
        params: &[],
        produces: &["application/json"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::Problems,
        path: "/api/v1/problems",
        summary: "The problem types of this API's errors (each error's `type` points here): status, title, what it means and what to do.",
        params: &[OGC_F],
        produces: &["application/json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcLanding,
        path: "/ogc",
        summary: "OGC API - Features landing page: links to the API definition, the conformance classes and the collections (QGIS: add an OGC API - Features layer with this URL).",
        params: &[OGC_F],
        produces: &["application/json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcConformance,
        path: "/ogc/conformance",
        summary: "The OGC API - Features conformance classes this service implements.",
        params: &[OGC_F],
        produces: &["application/json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcCollections,
        path: "/ogc/collections",
        summary: "The feature collections: coverage (municipalities with their tier and figures), facilities, and regions_<grouping> (region polygons with the regional figures).",
        params: &[OGC_F],
        produces: &["application/json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcCollection,
        path: "/ogc/collections/{collectionId}",
        summary: "One feature collection: its extent, CRSs and links.",
        params: &[OGC_COLLECTION, OGC_F],
        produces: &["application/json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcItems,
        path: "/ogc/collections/{collectionId}/items",
        summary: "The features of a collection, paged (limit, offset, next link), filtered by bbox, in CRS84, EPSG:4258 or EPSG:28992 (crs, bbox-crs), for a need profile (the coverage parameters).",
        params: &OGC_ITEMS_PARAMS,
        produces: &["application/geo+json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcItem,
        path: "/ogc/collections/{collectionId}/items/{featureId}",
        summary: "One feature of a collection.",
        params: &OGC_ITEM_PARAMS,
        produces: &["application/geo+json", "text/html"],
        methods: Methods::Get,
    },
    Route {
        id: RouteId::OgcSchema,
        path: "/ogc/collections/{collectionId}/schema",
        summary: "The JSON Schema of a collection's features (their fields and types).",
        params: &[OGC_COLLECTION, OGC_F],
        produces: &["application/schema+json"],
        methods: Methods::Get,
    },
];

const OGC_F: Param = Param {
    name: "f",
    path: false,
    required: false,
    kind: "string",
    values: &["json", "html"],
    description: "Format: json (default; GeoJSON for features) or html (for a browser).",
};

const OGC_COLLECTION: Param = Param {
    name: "collectionId",
    path: true,
    required: true,
    kind: "string",
    values: &[],
    description: "coverage, facilities or regions_<grouping> (e.g. regions_jeugdregio).",
};

const OGC_CRS_VALUES: &[&str] = &[
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4258",
    "http://www.opengis.net/def/crs/EPSG/0/28992",
];

const OGC_ITEMS_PARAMS: [Param; 18] = joined(&[
    &[
        OGC_COLLECTION,
        q(
            "limit",
            "integer",
            "Features per page, at least 1 (default 1000; more than 10000 is served as 10000).",
        ),
        q(
            "offset",
            "integer",
            "Features to skip (the next link sets it).",
        ),
        q(
            "bbox",
            "string",
            "minx,miny,maxx,maxy in bbox-crs: only features that intersect it.",
        ),
        Param {
            name: "bbox-crs",
            path: false,
            required: false,
            kind: "string",
            values: OGC_CRS_VALUES,
            description: "The CRS of bbox (default CRS84).",
        },
        Param {
            name: "crs",
            path: false,
            required: false,
            kind: "string",
            values: OGC_CRS_VALUES,
            description: "The CRS of the answer (default CRS84: lon,lat; EPSG:4258 lat,lon; EPSG:28992 RD New x,y).",
        },
        OGC_F,
        LANG,
    ],
    &NEED,
    &[],
]);

const OGC_ITEM_PARAMS: [Param; 15] = joined(&[
    &[
        OGC_COLLECTION,
        Param {
            name: "featureId",
            path: true,
            required: true,
            kind: "string",
            values: &[],
            description: "The feature's id (a municipality code, facility id or region code).",
        },
        Param {
            name: "crs",
            path: false,
            required: false,
            kind: "string",
            values: OGC_CRS_VALUES,
            description: "The CRS of the answer (default CRS84).",
        },
        OGC_F,
        LANG,
    ],
    &NEED,
    &[],
]);

/// The route of a handler.
pub fn route(id: RouteId) -> &'static Route {
    ROUTES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| unreachable!("every RouteId is in ROUTES"))
}

/// The query parameters a route accepts (its path parameters excluded).
pub fn query_params(id: RouteId) -> Vec<&'static str> {
    route(id)
        .params
        .iter()
        .filter(|p| !p.path)
        .map(|p| p.name)
        .collect()
}
