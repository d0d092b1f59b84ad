"""Model rules: fees never blank, geothai area codes, check constraints, copy status
consistency, and the catalogue change sequence (stamps and tombstones)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from central.catalogue import changes
from central.catalogue.models import (
    CopyStatus,
    Offering,
    OfferingTombstone,
    Service,
    ServiceStep,
    fee_texts,
)
from central.directory.models import Agency, ServicePoint
from central.ratings.models import Rating
from tests.central.helpers import make_point


def test_fee_texts():
    assert fee_texts(Decimal("0")) == ("ไม่มีค่าธรรมเนียม", "No fee")
    assert fee_texts(Decimal("20.00")) == ("20 บาท", "20 baht")
    assert fee_texts(Decimal("1500.50")) == ("1,500.50 บาท", "1,500.50 baht")


def test_fee_text_filled_on_save_and_clean(world):
    s = Service(code="FREE_ONE", name_th="ฟรี", name_en="Free", agency_th="ก", fee_th=" ")
    s.save()
    s.refresh_from_db()
    assert (s.fee_th, s.fee_en) == ("ไม่มีค่าธรรมเนียม", "No fee")
    s2 = Service(code="PAID", name_th="จ่าย", name_en="Paid", agency_th="ก", fee_amount=5)
    s2.full_clean()
    assert (s2.fee_th, s2.fee_en) == ("5 บาท", "5 baht")
    s2.fee_th = "ตามประกาศ"  # a custom text is kept
    s2.save()
    s2.refresh_from_db()
    assert s2.fee_th == "ตามประกาศ"


def test_fee_never_blank_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=world.id_renew.pk).update(fee_en="")


def test_negative_fee_refused(world):
    world.id_renew.fee_amount = Decimal("-1")
    with pytest.raises(ValidationError):
        world.id_renew.full_clean()


def test_service_point_area_codes_checked_against_geothai(world):
    sp = world.sp
    sp.full_clean()  # valid as created
    for field, value in [("province_code", "99"), ("district_code", "1099"),
                         ("subdistrict_code", "109999")]:  # fmt: skip
        bad = ServicePoint.objects.get(pk=sp.pk)
        setattr(bad, field, value)
        with pytest.raises(ValidationError) as err:
            bad.full_clean()
        assert field in err.value.message_dict
    mismatch = ServicePoint.objects.get(pk=sp.pk)
    mismatch.subdistrict_code = "500101"  # Chiang Mai subdistrict, Bangkok district
    with pytest.raises(ValidationError) as err:
        mismatch.full_clean()
    assert "subdistrict_code" in err.value.message_dict


def test_coordinates_checked(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_point("nowhere", world.dopa, lat=123.0)


def test_agency_cannot_be_its_own_ancestor(world):
    world.dopa.parent = world.bkk
    with pytest.raises(ValidationError):
        world.dopa.full_clean()


def test_rating_score_check_constraint(kiosk, world):
    now = timezone.now()
    fields = dict(
        kiosk=kiosk.kiosk, service_point=world.sp, counter=world.counter, kiosk_time=now,
        kiosk_seq=1, received_at=now, rated_at=now, skew_seconds=0, batch_id=uuid.uuid4(),
    )  # fmt: skip
    for score in (0, 6):
        with pytest.raises(IntegrityError), transaction.atomic():
            Rating.objects.create(uuid=uuid.uuid4(), score=score, **fields)
    Rating.objects.create(uuid=uuid.uuid4(), score=5, **fields)


def test_copy_status_rules(world):
    ok = CopyStatus(
        offering=world.offering_move_in, document=world.id_card, status="no_copy", copies=0,
        no_copy_since=date(2021, 10, 1), verify_th="อ่านบัตร",
    )  # fmt: skip
    ok.full_clean()
    bad = CopyStatus(offering=world.offering_move_in, document=world.id_card, status="no_copy")
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert {"no_copy_since", "verify_th"} <= set(err.value.message_dict)
    bad = CopyStatus(
        offering=world.offering_move_in, document=world.id_card, status="copy_required", copies=0
    )
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert {"copies", "reason_th"} <= set(err.value.message_dict)
    unlisted = CopyStatus(
        offering=world.offering_id_renew, document=world.photo, status="copy_required",
        copies=1, reason_th="x",
    )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        unlisted.full_clean()
    assert "document" in err.value.message_dict
    # The database refuses inconsistent rows too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CopyStatus.objects.create(
            offering=world.offering_move_in, document=world.id_card, status="no_copy", copies=2,
            no_copy_since=date(2021, 10, 1),
        )  # fmt: skip


def _seq(model, pk):
    return model.objects.values_list("change_seq", flat=True).get(pk=pk)


def test_change_sequence_stamps(world):
    _, before = changes.current()
    assert _seq(Service, world.id_renew.pk) <= before
    world.id_renew.name_en = "Renewal"
    world.id_renew.save()
    _, after = changes.current()
    assert after > before and _seq(Service, world.id_renew.pk) == after

    step = ServiceStep.objects.filter(service=world.move_in).first()
    step.minutes = 99
    step.save()
    assert _seq(Service, world.move_in.pk) == changes.current()[1]

    world.id_card.name_en = "Smart ID card"  # used by all three services
    world.id_card.save()
    now = changes.current()[1]
    assert {_seq(Service, s.pk) for s in (world.id_renew, world.move_in, world.dl_renew)} == {now}

    status = CopyStatus.objects.get(offering=world.offering_move_in)
    status.delete()
    assert _seq(Offering, world.offering_move_in.pk) == changes.current()[1]


def test_tombstones_on_delete_and_code_change(world):
    world.offering_move_in.delete()
    stone = OfferingTombstone.objects.get(service_code="MOVE_IN")
    assert stone.service_point_id == world.sp.pk
    assert stone.change_seq == changes.current()[1]

    world.id_renew.code = "ID_RENEW_EXPIRED"
    world.id_renew.save()
    assert OfferingTombstone.objects.filter(
        service_point_id=world.sp.pk, service_code="ID_RENEW"
    ).exists()

    world.dl_renew.delete()  # cascades to its offering at the DLT office
    assert OfferingTombstone.objects.filter(
        service_point_id=world.dlt_sp.pk, service_code="DL_RENEW"
    ).exists()


def test_scope_paths_cover_every_scoped_model():
    from django.apps import apps

    from central.scope import SCOPE_PATHS

    for label in SCOPE_PATHS:
        assert apps.get_model(label)
    assert Agency._meta.label_lower in SCOPE_PATHS
