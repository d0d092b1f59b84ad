"""Every citizen screen reached by taps, and the rating stored as the citizen answers."""

from __future__ import annotations

from tests.kiosk.conftest import find, show, tap


def test_documents_flow_by_taps(window, qtbot, store):
    assert window.current_screen().name == "welcome"
    tap(qtbot, find(window, "docs_action"))
    assert window.current_screen().name == "services"
    services = store.counter_services()
    assert services, "the demo counter offers services"
    first = services[0]
    tap(qtbot, find(window, f"service_{first.code}"))
    assert window.current_screen().name == "service"
    assert find(window, "service_title").text() == first.name_th
    assert find(window, "qr_service").property("url") == first.public_url
    tap(qtbot, find(window, "back"))
    assert window.current_screen().name == "services"
    tap(qtbot, find(window, "back"))
    assert window.current_screen().name == "welcome"


def test_one_tap_rating_then_followups_update_the_same_row(window, qtbot, store):
    before = store.queue_depth()
    tap(qtbot, find(window, "rate_action"))
    assert window.current_screen().name == "rating"
    tap(qtbot, find(window, "face_4"))
    # the tap alone stored the rating, before any follow-up or thank-you
    assert window.current_screen().name == "followup"
    assert store.queue_depth() == before + 1
    uuid = window.current_screen().uuid
    assert store.rating(uuid)["score"] == 4

    tap(qtbot, find(window, "dim_staff"))
    tap(qtbot, find(window, "dim_waiting_time"))
    tap(qtbot, find(window, "copy_yes"))
    row = store.rating(uuid)
    assert sorted(row["dimensions"]) == ["staff", "waiting_time"]
    assert row["asked_for_copy"] is True
    tap(qtbot, find(window, "copy_no"))
    assert store.rating(uuid)["asked_for_copy"] is False

    tap(qtbot, find(window, "comment_add"))
    assert window.current_screen().name == "comment"
    kb = window.current_screen().keyboard
    for ch in "ดี":
        tap(qtbot, kb.key_for(ch))
    tap(qtbot, kb.space_btn)
    tap(qtbot, find(window, "kb_switch"))
    for ch in "ok":
        tap(qtbot, kb.key_for(ch))
    tap(qtbot, find(window, "send"))
    assert window.current_screen().name == "thanks"
    row = store.rating(uuid)
    assert row["comment"] == "ดี ok"
    assert store.queue_depth() == before + 1, "follow-ups never add a second rating"


def test_skipping_followups_keeps_the_rating(window, qtbot, store):
    tap(qtbot, find(window, "rate_action"))
    tap(qtbot, find(window, "face_1"))
    uuid = window.current_screen().uuid
    tap(qtbot, find(window, "skip"))
    assert window.current_screen().name == "thanks"
    row = store.rating(uuid)
    assert row["score"] == 1
    assert row["dimensions"] == [] and row["asked_for_copy"] is None and row["comment"] is None


def test_thanks_returns_to_welcome_by_itself(window, qtbot, store):
    store.set_setting("thanks_timeout_s", 0.2)
    tap(qtbot, find(window, "rate_action"))
    tap(qtbot, find(window, "face_5"))
    tap(qtbot, find(window, "done"))
    assert window.current_screen().name == "thanks"
    qtbot.waitUntil(lambda: window.current_screen().name == "welcome", timeout=3000)


def test_rating_from_a_service_screen_is_tied_to_that_service(window, qtbot, store):
    svc = store.counter_services()[1]
    show(qtbot, window, "service", code=svc.code)
    tap(qtbot, find(window, "rate_after"))
    tap(qtbot, find(window, "face_3"))
    assert store.rating(window.current_screen().uuid)["service_code"] == svc.code


def test_quick_second_rating_is_kept_but_flagged(window, qtbot, store):
    store.set_setting("min_rating_interval_s", 3600)
    uuids = []
    for _ in range(2):
        show(qtbot, window, "rating")
        tap(qtbot, find(window, "face_5"))
        uuids.append(window.current_screen().uuid)
    first, second = (store.rating(u) for u in uuids)
    assert second is not None, "a burst is kept, never dropped"
    assert second["interval_flag"] is True
    assert first["uuid"] != second["uuid"]
