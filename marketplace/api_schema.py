"""The schema says what every operation can answer, not only what its view declares.

Some answers come from layers every view shares: authentication (401), the throttles (429), a
path or id no route matches (404), body parsing (400, 413, 415). drf-spectacular only lists
what a view declares, so this post-processing hook adds them, each with the one error body, to
every operation they can happen to. schemathesis (tests/test_api_fuzz.py) holds the result to
what the server really sends.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = "ApiError"
BODY_METHODS = {"post", "put", "patch"}
DESCRIPTIONS = {
    "400": "The body could not be read, or fields are not valid.",
    "401": "No credentials, or bad ones (`WWW-Authenticate: Token`).",
    "404": "Nothing at this path, or no such object you may see.",
    "413": "The request body is larger than the API accepts.",
    "415": "The body's media type is not JSON or multipart form data.",
    "429": "Too many requests; wait for `Retry-After` seconds.",
}


def add_shared_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    assert ERROR_SCHEMA in schemas, f"the error body ({ERROR_SCHEMA}) is not in the schema"
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["429"]
            if {} not in operation.get("security", [{}]):  # an anonymous caller is refused
                codes.append("401")
            if "{" in path:
                codes.append("404")
            if method in BODY_METHODS:
                codes += ["400", "413", "415"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _error(code))
    return result


def _error(code: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}
        },
    }
