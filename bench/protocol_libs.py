"""msgspec vs pydantic 2 for the protocol models: what decided protocol/ (docs/sync-protocol.md).

    .venv/bin/python bench/protocol_libs.py [--repeat 30] [--fresh 7]

Both libraries validate the same rules (bench/protocol_pydantic_mirror.py mirrors
protocol/models.py rule for rule; pydantic is not a project dependency: `pip install
pydantic` to run the comparison, otherwise only msgspec is measured). Figures:

- ``*_import_ms``: a fresh interpreter importing the models (what the kiosk's cold start
  pays), median of ``--fresh`` interpreters; ``*_first_use_ms``: the same interpreter's
  first validation of a catalogue and a rating (msgspec builds its validators lazily,
  pydantic when the classes are defined);
- ``*_ratings500_items_ms``: central's path, 500 parsed rating objects validated one by
  one (each bad item is rejected alone);
- ``*_ratings500_json_ms``: a 500-rating request body validated whole from bytes;
- ``*_catalogue_json_ms``: the full demo catalogue (35 services, resources/) from bytes, as
  the kiosk receives it.

Validation figures are medians of ``--repeat`` runs. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CATALOGUE = ROOT / "resources" / "demo_catalogue.json"

FRESH = {
    "msgspec": """
import time, json
t0 = time.perf_counter()
from protocol import codec, models
t1 = time.perf_counter()
codec.catalogue_from(json.loads(open({cat!r}, encoding="utf-8").read()))
codec.convert({rating!r}, models.Rating)
t2 = time.perf_counter()
print(json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000]))
""",
    "pydantic": """
import time, json
t0 = time.perf_counter()
from bench import protocol_pydantic_mirror as m
t1 = time.perf_counter()
m.Catalogue.model_validate(json.loads(open({cat!r}, encoding="utf-8").read()))
m.Rating.model_validate({rating!r})
t2 = time.perf_counter()
print(json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000]))
""",
}


def ratings(n: int) -> list[dict]:
    base = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    out = []
    for i in range(n):
        out.append(
            {
                "uuid": str(uuid.uuid4()),
                "seq": i + 1,
                "kiosk_time": (base + timedelta(seconds=37 * i)).isoformat(),
                "score": i % 5 + 1,
                "service_code": "ID_RENEW" if i % 3 else None,
                "dimensions": ["staff", "waiting_time"] if i % 4 == 0 else [],
                "asked_for_copy": None if i % 2 else False,
                "comment": "เจ้าหน้าที่บริการดีมาก ขอบคุณครับ" if i % 10 == 0 else None,
                "interval_flag": False,
            }
        )
    return out


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3)


def fresh(lib: str, n: int) -> tuple[float, float]:
    code = FRESH[lib].format(cat=str(CATALOGUE), rating=ratings(1)[0])
    imports, first = [], []
    for _ in range(n):
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        a, b = json.loads(out.stdout.strip().splitlines()[-1])
        imports.append(a)
        first.append(b)
    return round(statistics.median(imports), 2), round(statistics.median(first), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--fresh", type=int, default=7)
    args = ap.parse_args()

    import msgspec

    from protocol import codec, models

    items = ratings(500)
    body = json.dumps({"ratings": items}).encode()
    cat_bytes = CATALOGUE.read_bytes()
    figures: dict[str, object] = {"ratings": 500, "catalogue_services": 35}

    def ms_items() -> None:
        for item in items:
            codec.convert(item, models.Rating)

    def ms_json() -> None:
        msgspec.json.decode(body, type=models.RatingsRequest, strict=True)

    def ms_cat() -> None:
        codec.catalogue_from(codec.decode(cat_bytes, models.Catalogue))

    figures["msgspec_version"] = msgspec.__version__
    imp, first = fresh("msgspec", args.fresh)
    figures["msgspec_import_ms"], figures["msgspec_first_use_ms"] = imp, first
    figures["msgspec_ratings500_items_ms"] = median_ms(ms_items, args.repeat)
    figures["msgspec_ratings500_json_ms"] = median_ms(ms_json, args.repeat)
    figures["msgspec_catalogue_json_ms"] = median_ms(ms_cat, args.repeat)

    try:
        import pydantic

        from bench import protocol_pydantic_mirror as pm
    except ImportError:
        print("pydantic is not installed: only msgspec measured (pip install pydantic)")
    else:

        def pd_items() -> None:
            for item in items:
                pm.Rating.model_validate(item)

        def pd_json() -> None:
            pm.RatingsRequest.model_validate_json(body)

        def pd_cat() -> None:
            pm.Catalogue.model_validate_json(cat_bytes)

        # Same verdicts on the same data before timing anything.
        pd_items(), pd_json(), pd_cat()
        figures["pydantic_version"] = pydantic.VERSION
        imp, first = fresh("pydantic", args.fresh)
        figures["pydantic_import_ms"], figures["pydantic_first_use_ms"] = imp, first
        figures["pydantic_ratings500_items_ms"] = median_ms(pd_items, args.repeat)
        figures["pydantic_ratings500_json_ms"] = median_ms(pd_json, args.repeat)
        figures["pydantic_catalogue_json_ms"] = median_ms(pd_cat, args.repeat)

    for key, value in figures.items():
        print(f"{key:34} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
