"""GET /api/v1/openapi.json, and the protocol document's own examples against schemas.py."""

import json
import re
from pathlib import Path

from central.api import schemas

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"


def test_openapi_document(api, db):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/v1/kiosks/enroll", "/api/v1/kiosk/catalogue", "/api/v1/kiosk/ratings",
        "/api/v1/kiosk/heartbeat", "/api/v1/openapi.json",
    }  # fmt: skip
    components = doc["components"]["schemas"]
    assert set(components) == set(schemas.COMPONENTS)
    for name, schema in schemas.COMPONENTS.items():
        assert components[name] == json.loads(json.dumps(schema.json_schema()))
    rating = components["RatingsRequest"]["properties"]["ratings"]
    assert rating["maxItems"] == 500
    item = rating["items"]
    assert item["additionalProperties"] is False
    assert set(item["required"]) == set(item["properties"])
    assert item["properties"]["score"] == {
        "type": "integer", "minimum": 1, "maximum": 5,
        "description": "1 very dissatisfied ... 5 very satisfied.",
    }  # fmt: skip
    assert item["properties"]["comment"]["type"] == ["string", "null"]
    # Every $ref resolves.
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc)):
        assert ref in components


def _json_blocks(text: str) -> list:
    """The ```json blocks of the protocol document, with its // comments and … elisions."""
    blocks = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        block = re.sub(r"\s//[^\n]*", "", block)
        blocks.append(block)
    return blocks


def test_protocol_examples_match_the_schemas():
    text = PROTOCOL.read_text(encoding="utf-8")
    catalogue_text, ratings_text = _json_blocks(text)[:2]
    catalogue = json.loads(catalogue_text.replace('"..."', '"XX"'))
    catalogue["cursor"] = "v1.0123abcd.5"
    schemas.CATALOGUE.validate(catalogue)
    ratings = json.loads(ratings_text.replace("0b1d…", "0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"))
    cleaned = schemas.RATINGS_REQUEST.validate(ratings)
    assert cleaned["ratings"][0]["score"] == 5
