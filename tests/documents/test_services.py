"""The pack's services: making it from the checklists, uploads, settling, completeness,
reminders."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification
from documents import services
from documents.extensions import pack_check
from documents.models import (
    ChecklistItem,
    ChecklistTemplate,
    Document,
    DocumentPack,
    ItemStatus,
    PackItem,
    ScanStatus,
    document_storage,
)
from tests.reviews.factories import PersonFactory, ReviewFactory

from .factories import EXE, HTML_PAGE, SVG, docx_bytes, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def stored_files():
    storage = document_storage()
    try:
        return set(storage.listdir("documents")[1])
    except FileNotFoundError:
        return set()


# --- Making the pack ------------------------------------------------------------------------


def test_a_hospital_review_gets_the_hospital_checklist_owed_by_the_provider(pack, organisations):
    items = list(pack.items.select_related("source__template"))
    assert {i.source.template.code for i in items} == {"hospital"}
    by_code = {i.source.code: i for i in items}
    assert by_code["planner"].is_planner and by_code["planner"].core
    assert by_code["physical-health"].core and by_code["medication"].core
    assert not by_code["mdt-minutes"].core
    assert by_code["mdt-minutes"].organisation == organisations["provider"]


def test_in_hospital_the_planner_and_previous_report_are_the_providers_to_provide(
    pack, organisations
):
    by_code = {i.source.code: i for i in pack.items.select_related("source")}
    assert by_code["planner"].organisation == organisations["provider"]
    assert by_code["previous-report"].organisation == organisations["provider"]
    assert by_code["planner"].responsible == "provider"


@pytest.mark.parametrize(("age", "has_ehc_item"), [(18, True), (25, True), (26, False)])
def test_the_adult_hospital_pack_asks_for_an_ehc_plan_from_18_to_25(age, has_ehc_item, users):
    person = PersonFactory(in_hospital=True, date_of_birth=date(2026 - age, 1, 1))
    review = ReviewFactory(
        person=person,
        kind="inpatient_repeat",
        scheduled=True,
        starts_at=timezone.make_aware(datetime(2026, 6, 22, 10, 0)),
    )
    items = {i.source.code: i for i in services.pack_for_review(review=review).items.all()}
    assert ("ehc-plan" in items) is has_ehc_item
    if has_ehc_item:
        assert not items["ehc-plan"].core
        assert items["ehc-plan"].responsible == "provider"


def test_a_community_childs_review_adds_the_local_authoritys_items(organisations, users):
    person = PersonFactory(
        child=True,
        responsible_commissioner=organisations["icb"],
        local_authority=organisations["local_authority"],
    )
    review = ReviewFactory(person=person, scheduled=True)
    pack = services.pack_for_review(review=review)
    items = {i.source.code: i for i in pack.items.select_related("source")}
    assert "crisis-plan" in items and items["crisis-plan"].core
    assert items["crisis-plan"].organisation == organisations["icb"]
    assert items["youth-justice"].organisation == organisations["local_authority"]
    assert items["child-in-need-plan"].organisation == organisations["local_authority"]
    # The adult EHC item of the community list gives way to the local authority's.
    assert [i.organisation for i in items.values() if "EHC" in i.title] == [
        organisations["local_authority"]
    ]


def test_making_the_pack_twice_gives_the_same_pack(review_world):
    first = services.pack_for_review(review=review_world["review"])
    second = services.pack_for_review(review=review_world["review"])
    assert first.pk == second.pk
    assert DocumentPack.objects.count() == 1
    assert PackItem.objects.filter(pack=first).count() == first.items.count()


def test_a_new_checklist_version_does_not_rewrite_an_existing_pack(pack, organisations, users):
    before = list(pack.items.values_list("title", flat=True))
    old = ChecklistTemplate.objects.filter(code="hospital").order_by("-version").first()
    new = ChecklistTemplate.objects.create(
        code="hospital",
        version=old.version + 1,
        name=old.name,
        applies_to=old.applies_to,
        source="A later policy",
        published_on=timezone.localdate(),
    )
    ChecklistItem.objects.create(
        template=new,
        position=1,
        code="planner",
        title="New planner",
        responsible="commissioner",
        core=True,
        is_planner=True,
    )
    assert list(pack.items.values_list("title", flat=True)) == before
    other = ReviewFactory(person=pack.review.person, scheduled=True)
    assert [i.title for i in services.pack_for_review(review=other).items.all()] == ["New planner"]


# --- Uploads --------------------------------------------------------------------------------


def test_good_files_are_kept_and_each_refused_file_is_named(items, users):
    item = items["care-plan"]
    result = services.documents_upload(
        actor=users["provider"],
        item=item,
        files=[
            upload("care plan.pdf", pdf_bytes(text=None)),
            upload("setup.pdf", EXE),
            upload("page.pdf", HTML_PAGE),
            upload("drawing.pdf", SVG),
            upload("notes.docx", docx_bytes(), "application/octet-stream"),
            upload("photo.txt", image_bytes("JPEG"), "text/plain"),
        ],
    )
    assert [d.original_name for d in result.accepted] == [
        "care plan.pdf",
        "notes.docx",
        "photo.txt",
    ]
    assert [d.kind for d in result.accepted] == ["pdf", "docx", "jpeg"]
    assert [name for name, _ in result.refused] == ["setup.pdf", "page.pdf", "drawing.pdf"]
    assert all("must be a PDF, DOCX, XLSX, ODT, JPG or PNG" in m for _, m in result.refused)
    item.refresh_from_db()
    assert item.status == ItemStatus.PROVIDED
    document = result.accepted[0]
    assert document.scan_status == ScanStatus.NOT_SCANNED
    assert len(document.sha256) == 64 and document.size > 0
    assert document.uploaded_by == users["provider"]
    # Stored under a random name, with no trace of the uploaded one.
    assert "care" not in document.file.name and document.file.name.startswith("documents/")
    assert AuditEvent.objects.filter(action="create", object_type="documents.document").count() == 3


def test_an_oversize_file_and_files_past_the_limit_are_refused(items, users, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 2000
    settings.DOCUMENTS_MAX_FILES_PER_UPLOAD = 2
    small = pdf_bytes(text=None)
    assert len(small) < 2000
    result = services.documents_upload(
        actor=users["provider"],
        item=items["care-plan"],
        files=[
            upload("big.pdf", small + b"\n%" + b"x" * 3000),
            upload("one.pdf", small),
            upload("three.pdf", small),
        ],
    )
    assert [d.original_name for d in result.accepted] == ["one.pdf"]
    assert dict(result.refused) == {
        "big.pdf": "big.pdf must be smaller than 1.95KB" if False else result.refused[0][1],
        "three.pdf": "three.pdf was not uploaded: you can upload up to 2 files at a time",
    }
    assert result.refused[0][1].startswith("big.pdf must be smaller than")


def test_the_size_limit_is_said_in_megabytes(items, users, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    big = mock.Mock(size=20 * 1024 * 1024 + 1, oversize=True)
    big.name = "scan.pdf"
    assert services.check_file(big) == (None, "scan.pdf must be smaller than 20MB")


def test_no_file_is_left_in_storage_when_the_database_refuses_the_upload(items, users):
    before = stored_files()
    with (
        mock.patch("documents.services.audit_record", side_effect=IntegrityError("forced")),
        pytest.raises(IntegrityError),
    ):
        services.documents_upload(
            actor=users["provider"],
            item=items["care-plan"],
            files=[upload("a.pdf", pdf_bytes(text=None)), upload("b.pdf", pdf_bytes(text=None))],
        )
    assert stored_files() == before
    assert not Document.objects.exists()
    items["care-plan"].refresh_from_db()
    assert items["care-plan"].status == ItemStatus.OUTSTANDING


def test_replacing_keeps_the_old_version_in_the_history(items, users):
    item = items["care-plan"]
    first = services.documents_upload(
        actor=users["provider"], item=item, files=[upload("v1.pdf", pdf_bytes(text=None))]
    ).accepted[0]
    second = services.document_replace(
        actor=users["provider"], document=first, uploaded=upload("v2.pdf", pdf_bytes(text=None))
    )
    first.refresh_from_db()
    assert second.replaces == first and first.superseded_at is not None
    assert list(Document.objects.current()) == [second]
    assert document_storage().exists(first.file.name)


def test_deleting_is_soft_and_the_file_goes_only_after_commit(
    items, users, django_capture_on_commit_callbacks
):
    item = items["care-plan"]
    document = services.documents_upload(
        actor=users["provider"], item=item, files=[upload("v1.pdf", pdf_bytes(text=None))]
    ).accepted[0]
    with pytest.raises(ValidationError):
        services.document_delete(actor=users["provider"], document=document, reason=" ")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.document_delete(
            actor=users["provider"], document=document, reason="Uploaded to the wrong item"
        )
    assert document_storage().exists(document.file.name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not document_storage().exists(document.file.name)
    document.refresh_from_db()
    assert document.deleted_by == users["provider"]
    assert document.delete_reason == "Uploaded to the wrong item"
    item.refresh_from_db()
    assert item.status == ItemStatus.OUTSTANDING


# --- Settling, completeness, readiness -----------------------------------------------------


def test_not_applicable_and_not_held_need_a_reason(items, users):
    item = items["tribunal-report"]
    with pytest.raises(ValidationError) as error:
        services.item_settle(actor=users["provider"], item=item, status=ItemStatus.NOT_HELD)
    assert error.value.message_dict == {"reason": ["Enter why this item is not held"]}
    services.item_settle(
        actor=users["provider"], item=item, status=ItemStatus.NOT_HELD, reason="No tribunal yet"
    )
    item.refresh_from_db()
    assert (item.status, item.reason, item.settled_by) == (
        ItemStatus.NOT_HELD,
        "No tribunal yet",
        users["provider"],
    )


def test_an_item_with_files_cannot_be_marked_not_applicable(items, users):
    item = items["care-plan"]
    services.documents_upload(
        actor=users["provider"], item=item, files=[upload("a.pdf", pdf_bytes(text=None))]
    )
    with pytest.raises(ValidationError):
        services.item_settle(
            actor=users["provider"], item=item, status=ItemStatus.NOT_APPLICABLE, reason="No"
        )


def settle_all(pack, actor, but=()):
    for item in pack.items.all():
        if item.pk not in but:
            services.item_settle(
                actor=actor, item=item, status=ItemStatus.NOT_APPLICABLE, reason="Not relevant"
            )


def test_the_commissioner_is_told_once_when_the_pack_is_complete(
    pack, users, review_world, django_capture_on_commit_callbacks
):
    last = pack.items.order_by("position").last()
    settle_all(pack, users["provider"], but=[last.pk])
    assert not last.core
    assert pack_check(review_world["review"]).warning == (
        "1 other item still to come: they may come on the day"
    )
    services.documents_upload(
        actor=users["provider"], item=last, files=[upload("a.pdf", pdf_bytes(text=None))]
    )
    pack.refresh_from_db()
    assert pack.completed_at is not None
    assert pack_check(review_world["review"]).done
    sent = Notification.objects.filter(template="pack_complete")
    assert [n.recipient for n in sent] == [users["commissioner"].email]
    assert review_world["review"].events.filter(kind="documents").count() == 1


def test_a_review_without_a_pack_is_not_ready(review_world):
    result = pack_check(review_world["review"])
    assert not result.done and "not been started" in result.detail


def test_a_missing_core_item_of_a_hospital_pack_blocks_ready_with_its_deadline(
    pack, users, review_world
):
    review = review_world["review"]
    review.starts_at = timezone.make_aware(datetime(2026, 6, 22, 10, 0))
    core = pack.items.get(source__code="physical-health")
    settle_all(pack, users["provider"], but=[core.pk])

    result = pack_check(review)

    assert not result.done
    assert result.detail == (
        "1 core item still needed, by 21 June 2026 at 10am (24 hours before the review)"
    )


def test_other_items_of_a_hospital_pack_may_come_on_the_day(pack, users, review_world):
    core = [i.pk for i in pack.items.all() if i.core]
    for item in pack.items.filter(pk__in=core):
        services.item_settle(
            actor=users["provider"], item=item, status=ItemStatus.NOT_HELD, reason="None yet"
        )

    result = pack_check(review_world["review"])

    owed = pack.items.count() - len(core)
    assert result.done
    assert result.warning == f"{owed} other items still to come: they may come on the day"


def test_a_missing_item_of_a_community_pack_never_stops_the_review(organisations):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    review = ReviewFactory(person=person, scheduled=True)
    pack = services.pack_for_review(review=review)
    assert pack.items.filter(core=True, status=ItemStatus.OUTSTANDING).exists()

    result = pack_check(review)

    assert result.done
    assert result.warning.endswith("a missing item of a community pack never stops the review")


def test_assigning_needs_someone_from_the_owing_organisation(items, users):
    item = items["care-plan"]
    with pytest.raises(ValidationError):
        services.item_assign(actor=users["provider"], item=item, assignee=users["commissioner"])
    services.item_assign(actor=users["provider"], item=item, assignee=users["provider"])
    item.refresh_from_db()
    assert item.assignee == users["provider"]


# --- Reminders ------------------------------------------------------------------------------


def test_reminders_go_to_whoever_owes_items_once_per_point(
    review_world, users, settings, monkeypatch
):
    from documents import policy

    monkeypatch.setattr(policy, "REMINDER_DAYS", (7, 3, 1))
    review = review_world["review"]
    start = review.starts_at
    # Three days before the target date: the provider (a member of the owing organisation) and
    # the commissioner (who planned the review and owes the planner) are reminded.
    from documents.policy import deadlines

    target = deadlines(review)["target"].due_at
    now = target - timedelta(days=3) + timedelta(minutes=1)
    assert services.pack_reminders_send(now=now) >= 1
    reminders = Notification.objects.filter(template="pack_reminder")
    assert users["provider"].email in {n.recipient for n in reminders}
    count = reminders.count()
    # A rerun, or a run an hour later, sends nothing more.
    services.pack_reminders_send(now=now)
    services.pack_reminders_send(now=now + timedelta(hours=1))
    assert reminders.count() == count
    # On the core deadline the commissioner hears that it passed with items owed.
    services.pack_reminders_send(now=start - timedelta(hours=23))
    passed = Notification.objects.filter(template="pack_deadline_passed")
    assert users["commissioner"].email in {n.recipient for n in passed}
    context = passed.first().context
    assert "Daniel" not in str(context) and "Clarke" not in str(context)
    # Every email renders, in text and HTML, and names no one reviewed.
    from ctr_portal.services import _render_email

    for notification in Notification.objects.filter(template__startswith="pack_"):
        message = _render_email(notification)
        assert "Clarke" not in message.subject + message.body
        assert settings.SITE_URL in message.body


def test_a_review_moved_to_a_later_day_cancels_the_reminders_not_yet_sent(review_world, users):
    from documents.policy import deadlines

    review = review_world["review"]
    now = deadlines(review)["core"].due_at - timedelta(days=1) + timedelta(minutes=1)
    services.pack_reminders_send(now=now)  # queued; the dispatcher has not run
    queued = Notification.objects.filter(template="pack_reminder")
    assert set(queued.values_list("state", flat=True)) == {"pending"}
    pack = services.pack_for_review(review=review)
    assert all(
        key.startswith(f"pack:{pack.pk}:")
        for key in queued.values_list("idempotency_key", flat=True)
    )

    review.starts_at += timedelta(days=21)
    review.save(update_fields=["starts_at"])
    services.pack_reminders_send(now=now + timedelta(hours=1))
    assert set(queued.values_list("state", flat=True)) == {"cancelled"}
    assert services.pack_reminders_send(now=review.starts_at - timedelta(days=3)) >= 1
    assert queued.filter(state="pending").exists()  # the new date's reminders


def test_a_review_far_in_the_future_is_not_chased_yet(review_world):
    review = review_world["review"]
    assert services.pack_reminders_send(now=review.starts_at - timedelta(days=60)) == 0
    assert not Notification.objects.filter(template="pack_reminder").exists()


def test_reminders_sent_under_the_old_keys_are_not_sent_again(review_world, users):
    """The migration to the deadline mechanism's keys (ADR 0017) keeps what was sent as sent."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from documents.policy import deadlines

    review = review_world["review"]
    target = deadlines(review)["target"].due_at
    now = target - timedelta(days=3) + timedelta(minutes=1)
    services.pack_reminders_send(now=now)
    sent = list(Notification.objects.filter(template="pack_reminder"))
    pack = services.pack_for_review(review=review)
    for notification in sent:  # as the old code keyed them
        notification.idempotency_key = (
            f"pack-reminder:{pack.pk}:target:{target.isoformat()}:3:{notification.recipient}"
        )
        notification.state, notification.sent_at = "sent", timezone.now()
        notification.save()
    migration = importlib.import_module(
        "documents.migrations.0007_pack_notice_keys_on_the_deadline_mechanism"
    )
    migration.rewrite(apps, None)
    services.pack_reminders_send(now=now + timedelta(hours=1))
    assert Notification.objects.filter(template="pack_reminder").count() == len(sent)
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
