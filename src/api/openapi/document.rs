//! The OpenAPI 3.0 document, generated from the route table.

use serde_json::{Value, json};

use super::{Methods, ROUTES, RouteId};

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
        let problem = json!({"$ref": "#/components/responses/Problem"});
        let mut item = serde_json::Map::new();
        // The parameters in the path belong to every method; query parameters to the
        // route's main method (POST where there is one).
        let path_params: Vec<Value> = params
            .iter()
            .zip(r.params)
            .filter(|(_, p)| p.path)
            .map(|(v, _)| v.clone())
            .collect();
        if r.methods.get() {
            let get_params = if r.methods == Methods::GetPost {
                path_params.clone()
            } else {
                params.clone()
            };
            let (summary, get_id) = if r.methods == Methods::Get {
                (r.summary.to_string(), op_id.clone())
            } else {
                (
                    r.summary
                        .split(" POST:")
                        .next()
                        .unwrap_or(r.summary)
                        .to_string(),
                    format!("{op_id}Get"),
                )
            };
            item.insert(
                "get".into(),
                json!({"operationId": get_id, "summary": summary, "parameters": get_params, "responses": responses}),
            );
            item.insert(
                "head".into(),
                json!({"operationId": format!("{get_id}Head"), "summary": format!("{summary} (headers only)"), "parameters": get_params, "responses": {"200": {"description": "OK, no body"}, "304": {"description": "Not modified"}}}),
            );
        }
        let mut write_responses = responses.clone();
        if let Some(o) = write_responses.as_object_mut() {
            o.remove("304");
            o.insert("413".into(), problem.clone());
        }
        match r.methods {
            Methods::Post => {
                item.insert(
                    "post".into(),
                    json!({"operationId": op_id, "summary": r.summary, "requestBody": matrix_body(), "responses": write_responses}),
                );
            }
            Methods::GetPost => {
                if let Some(o) = write_responses.as_object_mut() {
                    let created = o.remove("200").unwrap_or(json!({}));
                    o.insert(
                        "201".into(),
                        json!({"description": "Saved; Location names it", "content": created["content"]}),
                    );
                    o.insert("401".into(), problem.clone());
                    o.insert("403".into(), problem.clone());
                    o.insert("422".into(), problem.clone());
                }
                item.insert(
                    "post".into(),
                    json!({"operationId": format!("{op_id}Create"), "summary": r.summary, "parameters": params, "requestBody": scenario_body(), "responses": write_responses, "security": [{"bearer": []}]}),
                );
            }
            Methods::GetDelete => {
                item.insert(
                    "delete".into(),
                    json!({"operationId": format!("{op_id}Delete"), "summary": "Delete it (bearer token).", "parameters": path_params, "responses": {"204": {"description": "Deleted"}, "401": problem, "403": problem, "404": problem}, "security": [{"bearer": []}]}),
                );
            }
            Methods::Get => {}
        }
        paths.insert(r.path.to_string(), Value::Object(item));
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
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The server's write token (--write-token, NABIJ_WRITE_TOKEN)."}
            },
            "responses": {
                "Problem": {"description": "A problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        }
    })
}

fn matrix_body() -> Value {
    let point = json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2});
    let points = json!({"type": "array", "items": point});
    json!({
        "required": true,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["origins", "destinations"],
            "properties": {"origins": points, "destinations": points, "max_minutes": {"type": "number"}},
        }}},
    })
}

fn scenario_body() -> Value {
    let change = json!({
        "type": "object",
        "required": ["op", "id"],
        "properties": {
            "op": {"type": "string", "enum": ["add", "close", "set_places", "set_type", "move"]},
            "id": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string"},
            "lon": {"type": "number"},
            "lat": {"type": "number"},
            "municipality": {"type": "string"},
            "places": {"type": "number"},
            "min_age": {"type": "number"},
            "max_age": {"type": "number"},
            "group_size": {"type": "number"},
            "opening_date": {"type": "string"},
            "closing_date": {"type": "string"}
        },
        "additionalProperties": false
    });
    json!({
        "required": true,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["name", "changes"],
            "properties": {
                "name": {"type": "string"},
                "description": {"type": "string"},
                "changes": {"type": "array", "items": change, "maxItems": 1000}
            },
            "additionalProperties": false
        }}},
    })
}
