"""`/api/docs`: the OpenAPI document as a plain page.

Swagger UI and ReDoc load their scripts from a CDN; this page is rendered on
the server from the same document, needs no script and works offline. Tools
(Swagger UI, Postman, code generators) can read /api/openapi.json directly.
"""

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__, template_folder="templates")

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/docs")
def api_docs():
    spec = current_app.extensions["api"].spec.to_dict()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": item[method].get("summary", ""),
            "description": item[method].get("description", ""),
            "security": [name for scheme in item[method].get("security", []) for name in scheme],
            "parameters": item.get("parameters", []) + item[method].get("parameters", []),
            "body": schema_name(item[method].get("requestBody")),
            "responses": [
                (status, resolve(spec, response))
                # In status order, `default` (any other error) last.
                for status, response in sorted(
                    item[method]["responses"].items(), key=lambda pair: pair[0].zfill(7)
                )
            ],
        }
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]
    return render_template(
        "api/docs.html", spec=spec, operations=operations, schema_name=schema_name
    )


def resolve(spec: dict, obj: dict) -> dict:
    """Follow a `$ref` such as #/components/responses/DEFAULT_ERROR."""
    if "$ref" not in obj:
        return obj
    *_, kind, name = obj["$ref"].split("/")
    return spec["components"][kind][name]


def schema_name(body: dict | None) -> str:
    """The schema of a request or response body: "Note", "Note[]" or ""."""
    if not body or "content" not in body:
        return ""
    schema = body["content"]["application/json"]["schema"]
    if schema.get("type") == "array":
        return schema["items"].get("$ref", "").rpartition("/")[2] + "[]"
    return schema.get("$ref", "").rpartition("/")[2]
