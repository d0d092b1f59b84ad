"""GET /api/v1/kiosk/catalogue: full payload, cursor deltas, deletions."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client

from central.catalogue.models import ChangeCounter, CopyStatus, Offering, ServiceStep
from protocol import codec
from tests.central.helpers import make_service, requires_postgres

URL = "/api/v1/kiosk/catalogue"


def _get(api, kiosk, since=None):
    data = {} if since is None else {"since": since}
    response = api.get(URL, data, **kiosk.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    codec.catalogue_from(body)
    return body


def _codes(body):
    return {s["code"]: s for s in body["services"]}


def test_full_catalogue(api, kiosk, world):
    body = _get(api, kiosk)
    assert body["full"] is True
    assert body["service_point"]["id"] == world.sp.public_id
    assert body["service_point"]["province_code"] == "10"
    assert body["service_point"]["map_url"].startswith(
        "https://www.openstreetmap.org/?mlat=13.7466"
    )
    assert body["counter"]["id"] == world.counter.public_id
    assert body["counter"]["service_codes"] == ["ID_RENEW"]
    services = _codes(body)
    assert set(services) == {"ID_RENEW", "MOVE_IN"}  # not DL_RENEW: another office
    renew = services["ID_RENEW"]
    assert renew["fee_amount"] == "0.00" and renew["fee_th"] == "ไม่มีค่าธรรมเนียม"
    assert renew["fee_en"] == "No fee" and renew["demo"] is True
    assert renew["total_minutes"] == 15
    assert [s["order"] for s in renew["steps"]] == [1, 2]
    assert renew["public_url"].endswith(f"/services/ID_RENEW?sp={world.sp.public_id}")
    (id_card,) = renew["documents"]
    assert id_card["copy_status"] == "no_copy" and id_card["no_copy_since"] == "2021-10-01"
    assert id_card["copies"] == 0 and id_card["verify_en"] == "Reads the smart card"
    move_in = {d["code"]: d for d in services["MOVE_IN"]["documents"]}
    assert move_in["HOUSE_REG"]["copy_status"] == "copy_required"
    assert move_in["HOUSE_REG"]["no_copy_since"] is None
    assert move_in["HOUSE_REG"]["reason_en"] == "Kept on file"
    # No per-office status: the manual's copy count applies, and the kiosk can say why.
    assert move_in["ID_CARD"]["copy_status"] == "copy_required"
    assert move_in["ID_CARD"]["copies"] == 1
    assert "Citizen's Manual" in move_in["ID_CARD"]["reason_en"]
    assert move_in["ID_CARD"]["reason_th"]
    assert services["MOVE_IN"]["fee_en"] == "20 baht"


def test_unchanged_catalogue_gives_an_empty_delta(api, kiosk):
    first = _get(api, kiosk)
    delta = _get(api, kiosk, first["cursor"])
    assert delta["full"] is False and delta["services"] == []
    assert delta["cursor"] == first["cursor"]
    assert delta["counter"]["service_codes"] == ["ID_RENEW"]  # always present


def test_copy_status_change_sends_only_that_service(api, kiosk, world):
    cursor = _get(api, kiosk)["cursor"]
    status = CopyStatus.objects.get(offering=world.offering_move_in)
    status.status, status.copies, status.no_copy_since = "no_copy", 0, date(2026, 1, 1)
    status.verify_th = "ตรวจออนไลน์"
    status.save()
    delta = _get(api, kiosk, cursor)
    assert list(_codes(delta)) == ["MOVE_IN"]
    docs = {d["code"]: d for d in delta["services"][0]["documents"]}
    assert docs["HOUSE_REG"]["copy_status"] == "no_copy"
    assert delta["services"][0]["version"] > 0
    assert _get(api, kiosk, delta["cursor"])["services"] == []


@pytest.mark.parametrize("what", ["service", "step", "document", "offering"])
def test_each_kind_of_change_reaches_the_kiosk(api, kiosk, world, what):
    cursor = _get(api, kiosk)["cursor"]
    if what == "service":
        world.id_renew.fee_amount = 10
        world.id_renew.fee_th = world.id_renew.fee_en = ""
        world.id_renew.save()
    elif what == "step":
        ServiceStep.objects.create(service=world.id_renew, order=3, title_th="รับบัตร", minutes=1)
    elif what == "document":
        world.id_card.name_en = "Smart ID card"
        world.id_card.save()
    else:
        world.offering_id_renew.counters.add(world.counter2)
        world.offering_id_renew.save()
    delta = _get(api, kiosk, cursor)
    assert "ID_RENEW" in _codes(delta)
    renew = _codes(delta)["ID_RENEW"]
    if what == "service":
        assert (renew["fee_amount"], renew["fee_en"]) == ("10.00", "10 baht")
    if what == "step":
        assert renew["total_minutes"] == 16 and len(renew["steps"]) == 3


def test_other_service_points_changes_are_not_sent(api, kiosk, world):
    cursor = _get(api, kiosk)["cursor"]
    world.dl_renew.name_en = "Renew a licence"
    world.dl_renew.save()
    Offering.objects.filter(service_point=world.dlt_sp).first().delete()
    delta = _get(api, kiosk, cursor)
    assert delta["services"] == []


def test_removed_and_readded_offering(api, kiosk, world):
    cursor = _get(api, kiosk)["cursor"]
    world.offering_move_in.delete()
    delta = _get(api, kiosk, cursor)
    assert delta["services"] == [
        {"code": "MOVE_IN", "version": delta["services"][0]["version"], "deleted": True}
    ]
    assert set(_codes(_get(api, kiosk))) == {"ID_RENEW"}  # full: no tombstones
    # Offered again: the delta carries the live service, not the deletion.
    Offering.objects.create(service_point=world.sp, service=world.move_in)
    again = _get(api, kiosk, cursor)
    assert _codes(again)["MOVE_IN"]["deleted"] is False
    assert _get(api, kiosk, delta["cursor"])["services"][0]["code"] == "MOVE_IN"


def test_a_draft_service_never_reaches_the_kiosk(api, kiosk, world):
    """Unpublishing a service (a draft: citizens must not see it) takes it off the kiosk
    in the next delta, keeps it out of a full catalogue and of the counter's list, and
    publishing it again brings it back whole."""
    cursor = _get(api, kiosk)["cursor"]
    world.id_renew.is_published = False
    world.id_renew.save()
    delta = _get(api, kiosk, cursor)
    assert [(s["code"], s["deleted"]) for s in delta["services"]] == [("ID_RENEW", True)]
    assert delta["counter"]["service_codes"] == []
    full = _get(api, kiosk)
    assert set(_codes(full)) == {"MOVE_IN"}
    assert full["counter"]["service_codes"] == []
    assert _get(api, kiosk, delta["cursor"])["services"] == []  # said once, not every sync
    world.id_renew.is_published = True
    world.id_renew.save()
    back = _get(api, kiosk, delta["cursor"])
    (renew,) = back["services"]
    assert renew["code"] == "ID_RENEW" and renew["deleted"] is False
    assert [d["code"] for d in renew["documents"]] == ["ID_CARD"]
    assert back["counter"]["service_codes"] == ["ID_RENEW"]


def test_new_offering_and_renamed_code(api, kiosk, world):
    cursor = _get(api, kiosk)["cursor"]
    new = make_service("ID_LOST", "Lost card", world.dopa, [(world.id_card, 1)], fee="20")
    Offering.objects.create(service_point=world.sp, service=new)
    world.move_in.code = "MOVE_IN_HOUSE"
    world.move_in.save()
    services = _codes(_get(api, kiosk, cursor))
    assert services["ID_LOST"]["deleted"] is False
    assert services["MOVE_IN_HOUSE"]["deleted"] is False
    assert services["MOVE_IN"]["deleted"] is True


@pytest.mark.parametrize(
    "cursor", ["garbage", "v1.xyz.1", "v2.0123abcd.5", "v1.0123abcd.-1", "v1.0123abcd.1 ",
               "1", "v1..", "' OR 1=1 --"],
)  # fmt: skip
def test_malformed_cursor_is_400(api, kiosk, cursor):
    response = api.get(URL, {"since": cursor}, **kiosk.auth)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_cursor"


def test_overlong_cursor_is_400(api, kiosk):
    response = api.get(URL, {"since": "v1." + "1" * 500}, **kiosk.auth)
    assert response.status_code == 400


def test_cursor_from_another_database_or_the_future_gives_full(api, kiosk):
    epoch = ChangeCounter.objects.get().epoch
    other = "v1.00000000.3" if epoch != "00000000" else "v1.11111111.3"
    assert _get(api, kiosk, other)["full"] is True
    assert _get(api, kiosk, f"v1.{epoch}.999999999")["full"] is True
    assert _get(api, kiosk, "")["full"] is True


def test_catalogue_updates_last_seen(api, kiosk):
    kiosk.kiosk.__class__.objects.filter(pk=kiosk.kiosk.pk).update(last_seen=None)
    _get(api, kiosk)
    kiosk.kiosk.refresh_from_db()
    assert kiosk.kiosk.last_seen is not None and kiosk.kiosk.last_ip == "127.0.0.1"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_cursor_is_safe_while_an_admin_edit_is_in_flight(world):
    """An edit whose transaction is still open when the kiosk syncs must arrive next time."""
    from central.fleet import services as fleet

    _, code = fleet.issue_enrolment_code(world.counter)
    _, credential = fleet.enrol(code, "1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {credential}"}
    editing, synced = threading.Event(), threading.Event()

    def admin_edit():
        try:
            with transaction.atomic():
                status = CopyStatus.objects.get(
                    offering__service_point=world.sp, document__code="HOUSE_REG"
                )
                status.reason_en = "Edited while the kiosk synced"
                status.save()  # bumps the sequence inside this open transaction
                editing.set()
                synced.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=admin_edit)
    thread.start()
    assert editing.wait(10)
    body = Client().get(URL, **auth).json()  # does not wait for the edit
    synced.set()
    thread.join()
    delta = Client().get(URL, {"since": body["cursor"]}, **auth).json()
    docs = {d["code"]: d for d in _codes(delta)["MOVE_IN"]["documents"]}
    assert docs["HOUSE_REG"]["reason_en"] == "Edited while the kiosk synced"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_editing_one_service_do_not_deadlock(world):
    """Each saves the service row and one of its steps in one transaction, in opposite
    orders; the counter lock taken first serialises them instead of deadlocking."""
    barrier = threading.Barrier(2)
    errors = []

    def edit(step_first: bool):
        try:
            barrier.wait()
            with transaction.atomic():
                service = type(world.id_renew).objects.get(pk=world.id_renew.pk)
                step = ServiceStep.objects.filter(service=service).first()
                for obj in (step, service) if step_first else (service, step):
                    obj.save()
        except Exception as exc:  # a deadlock would surface here
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(5):
        threads = [threading.Thread(target=edit, args=(flag,)) for flag in (True, False)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
