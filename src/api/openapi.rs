//! The route table: the single source from which the router registers its handlers and the
//! OpenAPI 3 document (`/api/v1/openapi.json`) is generated, so the two cannot drift apart.

use serde_json::{Value, json};

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
    /// A `POST` route with a JSON body (else `GET` and `HEAD`).
    pub post: bool,
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

const NEED: [Param; 8] = [
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
];

const FORMAT: Param = Param {
    name: "format",
    path: false,
    required: false,
    kind: "string",
    values: &["geojson", "csv", "json"],
    description: "Output format (default geojson).",
};

const COVERAGE_PARAMS: [Param; 9] = [
    NEED[0], NEED[1], NEED[2], NEED[3], NEED[4], NEED[5], NEED[6], NEED[7], FORMAT,
];
const ONE_PARAMS: [Param; 9] = [
    Param {
        name: "code",
        path: true,
        required: true,
        kind: "string",
        values: &[],
        description: "Municipality code, e.g. GM0363.",
    },
    NEED[0],
    NEED[1],
    NEED[2],
    NEED[3],
    NEED[4],
    NEED[5],
    NEED[6],
    NEED[7],
];
const REGION_PARAMS: [Param; 9] = [
    q(
        "grouping",
        "string",
        "jeugdregio (default), provincie, or a custom grouping.",
    ),
    NEED[0],
    NEED[1],
    NEED[2],
    NEED[3],
    NEED[4],
    NEED[5],
    NEED[6],
    NEED[7],
];

/// Every route the service answers.
pub const ROUTES: &[Route] = &[
    Route {
        id: RouteId::Health,
        path: "/health",
        summary: "Liveness and readiness (the graph is loaded).",
        params: &[],
        produces: &["application/json"],
        post: false,
    },
    Route {
        id: RouteId::Meta,
        path: "/api/v1/meta",
        summary: "Data sources, graph build, profile, counts and the synthetic-roads label.",
        params: &[],
        produces: &["application/json"],
        post: false,
    },
    Route {
        id: RouteId::Coverage,
        path: "/api/v1/coverage",
        summary: "Coverage of every municipality for a need profile.",
        params: &COVERAGE_PARAMS,
        produces: &["application/geo+json", "text/csv", "application/json"],
        post: false,
    },
    Route {
        id: RouteId::CoverageOne,
        path: "/api/v1/coverage/{code}",
        summary: "One municipality with its nearest suitable facilities and times.",
        params: &ONE_PARAMS,
        produces: &["application/json"],
        post: false,
    },
    Route {
        id: RouteId::Regions,
        path: "/api/v1/regions",
        summary: "Fairness per region of a grouping, with the gap municipalities.",
        params: &REGION_PARAMS,
        produces: &["application/json"],
        post: false,
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
        post: false,
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
        post: false,
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
        ],
        produces: &["application/json"],
        post: false,
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
        ],
        produces: &["application/geo+json"],
        post: false,
    },
    Route {
        id: RouteId::Matrix,
        path: "/api/v1/matrix",
        summary: "Travel times and distances by car between every origin and every destination: JSON body {\"origins\": [[lon, lat], ...], \"destinations\": [[lon, lat], ...], \"max_minutes\": optional}; answers {\"seconds\": [[...]], \"meters\": [[...]], \"reasons\": [[...]]} with null where there is no route. At most 250,000 pairs.",
        params: &[],
        produces: &["application/json"],
        post: true,
    },
    Route {
        id: RouteId::Metrics,
        path: "/metrics",
        summary: "Prometheus metrics: requests, latencies, cache hits.",
        params: &[],
        produces: &["text/plain"],
        post: false,
    },
    Route {
        id: RouteId::OpenApi,
        path: "/api/v1/openapi.json",
        summary: "This document.",
        params: &[],
        produces: &["application/json"],
        post: false,
    },
];

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

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for r in ROUTES {
        let params: Vec<Value> = r
            .params
            .iter()
            .map(|p| {
                let mut schema = json!({"type": p.kind});
                if !p.values.is_empty() {
                    schema["enum"] = json!(p.values);
                }
                json!({"name": p.name, "in": if p.path { "path" } else { "query" }, "required": p.required, "description": p.description, "schema": schema})
            })
            .collect();
        let content: serde_json::Map<String, Value> = r
            .produces
            .iter()
            .map(|t| (t.to_string(), json!({"schema": {}})))
            .collect();
        let mut responses = json!({
            "200": {"description": "OK", "content": content},
            "400": {"$ref": "#/components/responses/Problem"},
            "404": {"$ref": "#/components/responses/Problem"},
            "500": {"$ref": "#/components/responses/Problem"},
        });
        if r.produces.iter().any(|t| t.contains("json")) && r.id != RouteId::Metrics {
            responses["304"] =
                json!({"description": "Not modified (If-None-Match matched the ETag)"});
        }
        let op_id = format!("{:?}", r.id);
        if r.post {
            let point =
                json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2});
            let points = json!({"type": "array", "items": point});
            let body = json!({
                "required": true,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["origins", "destinations"],
                    "properties": {"origins": points, "destinations": points, "max_minutes": {"type": "number"}},
                }}},
            });
            let mut responses = responses.clone();
            if let Some(o) = responses.as_object_mut() {
                o.remove("304");
                o.insert(
                    "413".into(),
                    json!({"$ref": "#/components/responses/Problem"}),
                );
            }
            paths.insert(
                r.path.to_string(),
                json!({"post": {"operationId": op_id, "summary": r.summary, "requestBody": body, "responses": responses}}),
            );
            continue;
        }
        paths.insert(
            r.path.to_string(),
            json!({
                "get": {"operationId": op_id, "summary": r.summary, "parameters": params, "responses": responses},
                "head": {"operationId": format!("{op_id}Head"), "summary": format!("{} (headers only)", r.summary), "parameters": params, "responses": {"200": {"description": "OK, no body"}, "304": {"description": "Not modified"}}},
            }),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "nabij",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Can every municipality reach a suitable small-scale youth-care facility within 45 minutes by car, and is the regional spread fair?",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "parameter": {"type": "string", "description": "The query parameter at fault."}
                    },
                    "required": ["type", "title", "status", "detail"]
                }
            },
            "responses": {
                "Problem": {"description": "A problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        }
    })
}
