"""The ratings contract cannot drift: every rating the kiosk can store is accepted by
central.

Hypothesis drives the kiosk's real storage (``KioskStore`` on a SQLite file: a tap, then
the follow-up answers, on a kiosk clock anywhere from 1970 to 2100 in any time zone)
with anything its API takes; what the outbox hands to sync is posted to central's real
ratings endpoint. Every rating must come back ``accepted`` and be stored once, with the
answers as given; a service central does not offer at the point is kept as unknown."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.ratings.models import Rating
from kiosk.storage import DIMENSIONS, KioskStore
from tests.central.contract_data import PIECE, codes
from tests.central.helpers import post_json
from tests.central.test_contract_catalogue import rolled_back

CONTRACT = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

moments = st.builds(
    lambda ts, minutes: datetime.fromtimestamp(ts, UTC).astimezone(
        timezone(timedelta(minutes=minutes))
    ),
    st.integers(0, 4_102_444_800),  # 1970 .. 2100
    st.integers(-14 * 60, 14 * 60),
)
comments = st.one_of(
    st.none(),
    st.lists(PIECE, max_size=40).map("".join),
    st.sampled_from(["ก", "😀", "ปั้", " x\n"]).map(lambda p: (p * 500)[:500]),
)
tap = st.fixed_dictionaries(
    {
        "score": st.integers(1, 5),
        "service": st.one_of(st.none(), st.just("ID_RENEW"), codes),
        "dimensions": st.one_of(st.none(), st.lists(st.sampled_from(DIMENSIONS))),
        "asked_for_copy": st.one_of(st.none(), st.booleans()),
        "comment": comments,
        "at": moments,
    }
)


@pytest.mark.django_db
@CONTRACT
@given(taps=st.lists(tap, min_size=1, max_size=5))
def test_every_rating_the_kiosk_can_store_is_accepted_by_central(api, kiosk, taps):
    with rolled_back(), tempfile.TemporaryDirectory() as tmp:
        clock = {"now": taps[0]["at"]}
        stored = []
        with KioskStore.open(Path(tmp) / "kiosk", now=lambda: clock["now"]) as store:
            store.set_setting("followup_hold_s", 0)
            for t in taps:
                clock["now"] = t["at"]
                ref = store.record_rating(t["score"], t["service"])
                # An answer the kiosk refuses (ValueError) leaves the rating without it.
                with contextlib.suppress(ValueError):
                    store.update_followup(
                        ref.uuid,
                        dimensions=t["dimensions"],
                        asked_for_copy=t["asked_for_copy"],
                        comment=t["comment"],
                    )
                store.finish_followup(ref.uuid)
                stored.append(store.rating(ref.uuid))
            wire = store.pending_ratings(500)
        assert len(wire) == len(taps)
        response = post_json(api, "/api/v1/kiosk/ratings", {"ratings": wire}, **kiosk.auth)
        assert response.status_code == 200, response.content
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["accepted"] * len(wire), results
        for item in stored:
            row = Rating.objects.get(uuid=item["uuid"])
            assert row.score == item["score"]
            assert row.comment == item["comment"]
            assert row.dimensions == [d for d in DIMENSIONS if d in item["dimensions"]]
            assert row.asked_for_copy == item["asked_for_copy"]
            code = item["service_code"]
            if code == "ID_RENEW" or code is None:
                assert row.service_id is None if code is None else row.service.code == code
                assert row.unknown_service_code == ""
            else:  # not offered at the kiosk's point: kept, counted, marked unknown
                assert row.service_id is None and row.unknown_service_code == code
                assert row.unknown_service_reason
            assert row.service_point_id == kiosk.kiosk.counter.service_point_id
