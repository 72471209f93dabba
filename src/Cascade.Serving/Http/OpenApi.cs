namespace Cascade.Serving.Http;

/// <summary>The hand-written OpenAPI 3.1 description served at GET /openapi.json.</summary>
public static class OpenApi
{
    /// <summary>The document.</summary>
    public const string Document = """
{
  "openapi": "3.1.0",
  "info": {"title": "Cascade serving API", "version": "1.0.0",
    "description": "Online advertising cascade: retrieval (HNSW) → pre-ranking → ranking → auction, with near-line ad updates."},
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "components": {
    "securitySchemes": {"admin": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Problem": {"type": "object", "properties": {"status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}},
      "FeatureValue": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "array", "items": {"type": ["string", "number"]}}, {"type": "null"}]},
      "RecommendRequest": {"type": "object", "required": ["features"], "additionalProperties": false, "properties": {
        "features": {"type": "object", "description": "User and context features of the schema (column → value).", "additionalProperties": {"$ref": "#/components/schemas/FeatureValue"}},
        "count": {"type": "integer", "minimum": 1, "description": "Ads to return (default and maximum from the serving config)."}}},
      "RecommendedAd": {"type": "object", "properties": {
        "ad_id": {"type": "integer"}, "retrieval_score": {"type": "number"}, "prerank_score": {"type": "number"},
        "pctr": {"type": "number"}, "bid": {"type": "number"}, "ecpm": {"type": "number", "description": "pCTR × bid × 1000"},
        "price": {"type": "number", "description": "generalised second price per click"}}},
      "RecommendResponse": {"type": "object", "properties": {
        "ads": {"type": "array", "items": {"$ref": "#/components/schemas/RecommendedAd"}},
        "funnel": {"type": "object", "properties": {"retrieved": {"type": "integer"}, "preranked": {"type": "integer"}, "ranked": {"type": "integer"}}},
        "timings_ms": {"type": "object", "properties": {"encode": {"type": "number"}, "retrieval": {"type": "number"}, "prerank": {"type": "number"}, "rank": {"type": "number"}, "auction": {"type": "number"}, "total": {"type": "number"}}}}},
      "AdEvent": {"type": "object", "required": ["type", "ad_id", "version"], "additionalProperties": false, "properties": {
        "type": {"enum": ["upsert", "bid", "budget", "pause", "resume", "delete"]},
        "ad_id": {"type": "integer", "minimum": 1}, "version": {"type": "integer", "minimum": 1, "description": "strictly increasing per ad; older versions are ignored"},
        "bid": {"type": "number", "minimum": 0}, "budget": {"type": "number", "minimum": 0},
        "features": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/FeatureValue"}}}},
      "Ad": {"type": "object", "properties": {"ad_id": {"type": "integer"}, "version": {"type": "integer"}, "bid": {"type": "number"}, "budget": {"type": "number"},
        "paused": {"type": "boolean"}, "eligible": {"type": "boolean"}, "indexed": {"type": "boolean"}, "features": {"type": "object"}}}
    }
  },
  "paths": {
    "/v1/recommend": {"post": {"summary": "Run the cascade for one request",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecommendRequest"}}}},
      "responses": {"200": {"description": "winners", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecommendResponse"}}}},
        "400": {"description": "malformed JSON or unknown/invalid feature", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        "413": {"description": "body too large"}, "429": {"description": "load shed: too many requests in flight"}, "503": {"description": "deadline exceeded or not ready"}}}},
    "/v1/ads/events": {"post": {"summary": "Send ad events (durable before 202)", "security": [{"admin": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/AdEvent"},
        {"type": "object", "properties": {"events": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/AdEvent"}}}}]}}}},
      "responses": {"202": {"description": "accepted and fsynced"}, "400": {"description": "invalid event"}, "401": {"description": "missing token"},
        "403": {"description": "wrong token"}, "413": {"description": "body too large"}, "503": {"description": "event queue full"}}}},
    "/v1/ads/{id}": {"get": {"summary": "Current state of an ad", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "responses": {"200": {"description": "the ad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ad"}}}}, "400": {"description": "bad id"}, "404": {"description": "unknown ad"}}}},
    "/metrics": {"get": {"summary": "Prometheus text metrics", "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}},
    "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "alive"}}}},
    "/readyz": {"get": {"summary": "Readiness (bundle loaded, log replayed, not stopping)", "responses": {"200": {"description": "ready"}, "503": {"description": "not ready"}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
  }
}
""";
}
