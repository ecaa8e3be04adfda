"""The documents app's rows of the access matrix (merged by tests/test_access_matrix.py).

In `review_world` the review is three weeks away, so the panel's window is shut: the clinical
expert (independent) sees the pack page, which says when it opens, and is refused (403) every
item and file; the expert by experience has not declared independence (403). The provider owns
the item used here; the local authority owes nothing in an adult hospital review, so its items
and files are hidden from it (404), as they are from family, the person and other
organisations.
"""

from tests.test_access_matrix import NO_POST, acting, only


def pack_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def _item(ctx):
    if "documents_item" not in ctx:
        from documents.services import pack_for_review

        pack = pack_for_review(review=ctx["world"]["review"])
        ctx["documents_item"] = pack.items.get(source__code="care-plan")
    return ctx["documents_item"]


def item_kwargs(ctx):
    return {"pk": _item(ctx).pk}


def document_kwargs(ctx):
    if "documents_document" not in ctx:
        from tests.documents.factories import DocumentFactory

        ctx["documents_document"] = DocumentFactory(
            item=_item(ctx), uploaded_by=ctx["users"]["provider"]
        )
    return {"pk": ctx["documents_document"].pk}


def rendition_kwargs(ctx):
    """A Word document of the item with its PDF ready (the rendition's URL answers 404 until
    then, for everyone)."""
    if "documents_rendition" not in ctx:
        from tests.documents.factories import DocumentRenditionFactory

        ctx["documents_rendition"] = DocumentRenditionFactory(
            document__item=_item(ctx), document__uploaded_by=ctx["users"]["provider"]
        )
    return {"pk": ctx["documents_rendition"].document_id}


PACK = only(
    {
        "commissioner": 200,
        "chair": 200,
        "provider": 200,
        "local_authority": 200,
        "clinical_expert": 200,
        "expert_by_experience": 403,
        "family_carer": 403,
        "person": 403,
    },
    others=404,
)
PREPARERS = only(
    {
        "commissioner": 200,
        "chair": 200,
        "provider": 200,
        "clinical_expert": 403,
        "expert_by_experience": 403,
    },
    others=404,
)
ADMIN_READ_ONLY = only({"administrator": 403}, others=302)

MATRIX = {
    "documents:pack": (pack_kwargs, PACK, NO_POST),
    "documents:item": (item_kwargs, PREPARERS, NO_POST),
    "documents:item_upload": (item_kwargs, PREPARERS, acting(PREPARERS)),
    "documents:item_settle": (item_kwargs, PREPARERS, acting(PREPARERS)),
    "documents:item_assign": (item_kwargs, PREPARERS, acting(PREPARERS)),
    "documents:document": (document_kwargs, PREPARERS, NO_POST),
    "documents:document_file": (document_kwargs, PREPARERS, NO_POST),
    "documents:document_rendition": (rendition_kwargs, PREPARERS, NO_POST),
    "documents:document_download": (document_kwargs, PREPARERS, NO_POST),
    "documents:document_replace": (document_kwargs, PREPARERS, acting(PREPARERS)),
    "documents:document_delete": (document_kwargs, PREPARERS, acting(PREPARERS)),
    # Checklists are reference data, changed by a data migration: read-only in the admin.
    "admin:documents_checklisttemplate_add": (lambda ctx: {}, ADMIN_READ_ONLY, ADMIN_READ_ONLY),
    "admin:documents_checklisttemplate_delete": (
        lambda ctx: {"object_id": "1"},
        ADMIN_READ_ONLY,
        ADMIN_READ_ONLY,
    ),
}
