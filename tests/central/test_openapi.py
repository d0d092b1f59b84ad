"""GET /api/v1/openapi.json: generated from protocol.models, and true to what the server
accepts; the protocol document's own examples against the models."""

import json
import re
from pathlib import Path

import msgspec
import pytest

from protocol import codec, models
from tests.central.helpers import post_json, rating

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"


@pytest.fixture
def doc(api, db):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document(doc):
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {
        "/api/v1/kiosks/enroll", "/api/v1/kiosk/catalogue", "/api/v1/kiosk/ratings",
        "/api/v1/kiosk/heartbeat", "/api/v1/openapi.json",
    }  # fmt: skip
    components = doc["components"]["schemas"]
    _, generated = msgspec.json.schema_components(
        models.COMPONENTS, ref_template="#/components/schemas/{name}"
    )
    assert components == json.loads(json.dumps(generated))
    assert {m.__name__ for m in models.COMPONENTS} <= set(components)
    ratings = components["RatingsRequest"]["properties"]["ratings"]
    assert ratings["maxItems"] == 500
    item = components[ratings["items"]["$ref"].rsplit("/", 1)[1]]
    assert item["additionalProperties"] is False
    assert set(item["required"]) == set(item["properties"])
    assert item["properties"]["score"] == {
        "type": "integer", "minimum": 1, "maximum": 5,
        "description": "1 very dissatisfied ... 5 very satisfied.",
    }  # fmt: skip
    assert {"type": "null"} in item["properties"]["comment"]["anyOf"]
    assert item["properties"]["dimensions"]["uniqueItems"] is True
    # Every $ref resolves.
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc)):
        assert ref in components


def test_every_request_body_is_required_and_closed(doc):
    components = doc["components"]["schemas"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if method != "post" or path.endswith("openapi.json"):
                continue
            body = op["requestBody"]
            assert body["required"] is True, path
            name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert components[name]["additionalProperties"] is False, path


def _first_bad(schema: dict, value: str) -> bool:
    return re.search(schema["pattern"], value) is None


def test_the_documented_patterns_are_the_ones_enforced(doc, api, kiosk):
    """A value outside a documented pattern is refused by the server, one inside accepted."""
    item = doc["components"]["schemas"]["Rating"]["properties"]
    code = item["service_code"]["anyOf"][0]
    for value, ok in [("ID_RENEW", True), ("id_renew", False), ("X", False), ("A" * 41, False)]:
        documented = not _first_bad(code, value) and len(value) <= code["maxLength"]
        assert documented is ok
        body = post_json(
            api, "/api/v1/kiosk/ratings", {"ratings": [rating(service_code=value)]}, **kiosk.auth
        ).json()
        assert (body["results"][0]["status"] == "accepted") is ok, value
    beat = doc["components"]["schemas"]["HeartbeatRequest"]
    assert set(beat["required"]) == {"app_version", "queue_depth", "kiosk_time"}
    assert "catalogue_refused" in beat["properties"]


def _json_blocks(text: str) -> list:
    """The ```json blocks of the protocol document, with its // comments and … elisions."""
    blocks = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        block = re.sub(r"\s//[^\n]*", "", block)
        blocks.append(block)
    return blocks


def test_protocol_examples_match_the_models():
    text = PROTOCOL.read_text(encoding="utf-8")
    catalogue_text, ratings_text = _json_blocks(text)[:2]
    catalogue = json.loads(catalogue_text.replace('"..."', '"XX"'))
    catalogue["cursor"] = "v1.0123abcd.5"
    codec.catalogue_from(catalogue)
    ratings = json.loads(ratings_text.replace("0b1d…", "0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"))
    cleaned = codec.convert(ratings, models.RatingsRequest)
    assert cleaned.ratings[0].score == 5
