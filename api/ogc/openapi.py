"""The API definition (OpenAPI 3.0) of the OGC API at /ogc/, which clients read for its paths and parameters (GDAL
takes its page size from the maximum of `limit`)."""

from django.urls import reverse

from api.ogc import crs as crs_module
from api.ogc import params

COMMON_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": params.MAX_LIMIT, "default": params.DEFAULT_LIMIT},
        "description": "Features per page; a larger value is capped at the maximum (the answer says so).",
    },
    {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0}},
    {
        "name": "bbox",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "description": "In bbox-crs (CRS84: lon,lat,lon,lat; EPSG:4490: lat,lon,lat,lon).",
    },
    {
        "name": "bbox-crs",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": list(crs_module.SUPPORTED)},
    },
    {"name": "crs", "in": "query", "required": False, "schema": {"type": "string", "enum": list(crs_module.SUPPORTED)}},
    {"name": "datetime", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": list(params.FORMATS)}},
]


def json_answer(description, media_type="application/json"):
    return {"200": {"description": description, "content": {media_type: {"schema": {"type": "object"}}}}}


def filter_parameter(name):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "schema": {"type": "string"},
        "description": "One value, or several separated by commas.",
    }


def definition(request):
    from api.ogc.collections import COLLECTIONS

    paths = {
        "/": {"get": {"operationId": "landing", "responses": json_answer("Landing page")}},
        "/conformance": {"get": {"operationId": "conformance", "responses": json_answer("Conformance classes")}},
        "/api": {"get": {"operationId": "api", "responses": json_answer("This definition")}},
        "/collections": {"get": {"operationId": "collections", "responses": json_answer("The collections")}},
    }
    for collection in COLLECTIONS.values():
        base = f"/collections/{collection.id}"
        paths[base] = {"get": {"operationId": f"{collection.id}-collection", "responses": json_answer(collection.id)}}
        paths[f"{base}/items"] = {
            "get": {
                "operationId": f"{collection.id}-items",
                "summary": str(collection.title),
                "description": str(collection.description),
                "parameters": COMMON_PARAMETERS + [filter_parameter(name) for name in collection.filters],
                "responses": json_answer("Features", "application/geo+json"),
            }
        }
        paths[f"{base}/items/{{featureId}}"] = {
            "get": {
                "operationId": f"{collection.id}-item",
                "parameters": [
                    {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}},
                    COMMON_PARAMETERS[4],
                ],
                "responses": json_answer("One feature", "application/geo+json"),
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "百乡千村 OGC API - Features", "version": "1.0"},
        "servers": [{"url": request.build_absolute_uri(reverse("api:ogc_landing")).rstrip("/")}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Token <token> or Bearer <token>",
                }
            }
        },
        "security": [{"token": []}],
        "paths": paths,
    }
