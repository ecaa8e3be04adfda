import pytest
from django.db import IntegrityError, InternalError, OperationalError, connection, transaction
from django.test import RequestFactory

from ctr_portal.audit import Action, audit_record
from ctr_portal.models import AuditEvent
from ctr_portal.views.errors import permission_denied
from tests.factories import AuditEventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATABASE_REFUSALS = (IntegrityError, InternalError, OperationalError)


def test_record_keeps_the_object_type_and_id_and_nothing_else_about_it():
    user = UserFactory()
    organisation = OrganisationFactory(name="Secret Name Hospital")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    request.request_id = "req-12345678"
    event = audit_record(action=Action.VIEW, actor=user, obj=organisation, request=request)
    event.refresh_from_db()
    assert (event.object_type, event.object_id) == ("ctr_portal.organisation", str(organisation.pk))
    assert event.ip_address == "192.0.2.10" and event.request_id == "req-12345678"
    assert event.occurred_at.utcoffset().total_seconds() == 0
    stored = " ".join(str(v) for v in AuditEvent.objects.values_list().get(pk=event.pk))
    assert "Secret Name" not in stored


def test_an_audit_event_cannot_be_changed_through_the_model():
    event = AuditEventFactory()
    event.action = Action.DOWNLOAD
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_an_audit_event_cannot_be_changed_through_a_queryset():
    AuditEventFactory()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action=Action.DOWNLOAD)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_behind_the_orms_back():
    event = AuditEventFactory()
    with pytest.raises(DATABASE_REFUSALS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ctr_portal_auditevent SET action = 'download' WHERE id = %s", [event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == Action.VIEW


@pytest.mark.skipif(connection.vendor != "postgresql", reason="delete trigger is PostgreSQL's")
def test_postgresql_refuses_a_delete_behind_the_orms_back():
    event = AuditEventFactory()
    with pytest.raises(DATABASE_REFUSALS), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ctr_portal_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_shows_the_trail_read_only(client_for, users):
    event = AuditEventFactory(actor=users["commissioner"])
    admin = client_for("administrator")
    assert admin.get("/admin/ctr_portal/auditevent/").status_code == 200
    assert admin.get("/admin/ctr_portal/auditevent/add/").status_code == 403
    change = admin.get(f"/admin/ctr_portal/auditevent/{event.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin.post(f"/admin/ctr_portal/auditevent/{event.pk}/delete/").status_code == 403


def test_a_permission_denial_is_audited():
    user = UserFactory()
    request = RequestFactory().get("/organisations/1/")
    request.user = user
    request.request_id = "req-denied-1"
    from django.urls import resolve

    request.resolver_match = resolve("/organisations/1/")
    response = permission_denied(request)
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="permission_denied")
    assert (event.actor, event.object_type, event.object_id) == (user, "organisation", "1")


def test_a_hidden_object_is_audited_as_not_found(client_for, organisations, users):
    client = client_for("commissioner_other_org")
    assert client.get(f"/organisations/{organisations['icb'].pk}/").status_code == 404
    event = AuditEvent.objects.get(action="not_found")
    assert event.actor == users["commissioner_other_org"]
    assert event.object_id == str(organisations["icb"].pk)
