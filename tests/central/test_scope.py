"""Agency scope (central.scope): central admins see all, agency staff see their agency and
its descendants, everyone else nothing; every scoped model filters."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from central import audit
from central.audit.models import AuditLog
from central.catalogue.models import CopyStatus, Offering, Service
from central.directory.models import Agency, Counter, Membership, ServicePoint
from central.fleet.models import EnrolmentCode, Kiosk
from central.ratings.models import Rating
from central.scope import Scope, agency_id_of, scope_for
from tests.central.helpers import enrol_kiosk, post_json, rating


def _user(name, agency=None, central=False, superuser=False):
    user = User.objects.create_user(name, password="x", is_superuser=superuser)
    if agency is not None or central:
        Membership.objects.create(user=user, agency=agency, is_central=central)
    return user


@pytest.fixture
def fleet_and_ratings(world, api):
    bkk_kiosk = enrol_kiosk(world.counter)
    dlt_kiosk = enrol_kiosk(world.dlt_counter)
    post_json(api, "/api/v1/kiosk/ratings", {"ratings": [rating()]}, **bkk_kiosk.auth)
    post_json(
        api, "/api/v1/kiosk/ratings", {"ratings": [rating(service_code="DL_RENEW")]},
        **dlt_kiosk.auth,
    )  # fmt: skip
    return bkk_kiosk, dlt_kiosk


SCOPED = [ServicePoint, Counter, Offering, CopyStatus, EnrolmentCode, Kiosk, Rating, AuditLog]


def test_central_admins_see_everything(world, fleet_and_ratings):
    for user in (_user("root", superuser=True), _user("boss", central=True)):
        scope = scope_for(user)
        assert scope.is_central
        for model in SCOPED:
            assert scope.filter(model.objects.all()).count() == model.objects.count()
        assert scope.agencies().count() == Agency.objects.count()


def test_parent_agency_sees_descendants_child_does_not_see_parent(world, fleet_and_ratings):
    dopa = scope_for(_user("dopa", world.dopa))
    bkk = scope_for(_user("bkk", world.bkk))
    dlt = scope_for(_user("dlt", world.dlt))
    assert dopa.agency_ids == {world.dopa.pk, world.bkk.pk}
    assert bkk.agency_ids == {world.bkk.pk}
    assert set(dopa.filter(ServicePoint.objects.all())) == {world.sp}
    assert set(bkk.filter(ServicePoint.objects.all())) == {world.sp}
    assert set(dlt.filter(ServicePoint.objects.all())) == {world.dlt_sp}
    assert set(dlt.filter(Counter.objects.all())) == {world.dlt_counter}
    assert dlt.filter(Rating.objects.all()).get().service.code == "DL_RENEW"
    assert dopa.filter(Rating.objects.all()).get().service.code == "ID_RENEW"
    assert set(dlt.filter(Kiosk.objects.all())) == {fleet_and_ratings[1].kiosk}
    assert not dlt.filter(CopyStatus.objects.all()).exists()
    assert dopa.filter(CopyStatus.objects.all()).count() == 2
    assert dlt.filter(EnrolmentCode.objects.all()).get().counter == world.dlt_counter
    # Audit entries of kiosk enrolment carry the kiosk's agency.
    assert {e.action for e in dlt.filter(AuditLog.objects.all())} == {
        "enrolment_code.issue", "kiosk.enrol",
    }  # fmt: skip
    assert set(bkk.agencies()) == {world.bkk}
    assert bkk.allows(world.sp) and not bkk.allows(world.dlt_sp)
    assert dopa.allows(fleet_and_ratings[0].kiosk)
    assert not dopa.allows_agency(None)


def test_nobody_else_sees_anything(world, fleet_and_ratings):
    no_membership = _user("stranger")
    inactive = _user("gone", world.dopa)
    inactive.is_active = False
    inactive.save()
    for user in (None, AnonymousUser(), no_membership, inactive):
        scope = scope_for(user)
        assert scope.is_empty
        for model in SCOPED:
            assert not scope.filter(model.objects.all()).exists()
        assert not scope.allows(world.sp)


def test_unscoped_model_fails_closed(world):
    with pytest.raises(TypeError, match="not agency-scoped"):
        Scope(is_central=True).filter(Service.objects.all())


def test_q_through_a_relation(world, fleet_and_ratings):
    dlt = scope_for(_user("dlt", world.dlt))
    ratings = Rating.objects.filter(dlt.q(Kiosk, "kiosk__"))
    assert [r.service.code for r in ratings] == ["DL_RENEW"]
    assert Rating.objects.filter(Scope().q(Kiosk, "kiosk__")).count() == 0


def test_agency_id_of(world, kiosk):
    assert agency_id_of(world.sp) == world.bkk.pk
    assert agency_id_of(world.counter) == world.bkk.pk
    assert agency_id_of(CopyStatus.objects.first()) == world.bkk.pk
    assert agency_id_of(kiosk.kiosk) == world.bkk.pk
    assert agency_id_of(world.dlt) == world.dlt.pk


def test_audit_record(world):
    user = _user("dlt", world.dlt)
    entry = audit.record(
        "service_point.update", world.dlt_sp, actor=user,
        before={"phone": "1"}, after={"phone": "2"},
    )  # fmt: skip
    assert entry.actor == user and entry.actor_label == "dlt"
    assert entry.agency_id == world.dlt.pk
    assert (entry.object_type, entry.object_id) == ("directory.servicepoint", str(world.dlt_sp.pk))
    system = audit.record("maintenance.run")
    assert system.actor_label == "system" and system.agency is None
    assert scope_for(user).filter(AuditLog.objects.all()).get() == entry
