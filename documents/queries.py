"""Reads of packs, items and documents, scoped to the user. Views use these and nothing else.

Every read goes through `reviews.queries.review_for_user`, which loads the participants and the
latest consent on every request: that is the consent gate. An item or document the user has no
part in is not found (None: 404). Within a pack, a provider or local authority finds only the
items their organisation owes, and a panel member before consent only the planner.
"""

from django.db.models import Count, FilteredRelation, Prefetch, Q

from ctr_portal.queries import organisation_ids_for_user, organisation_members
from reviews.queries import review_for_user
from reviews.rules import consent_gate_open, is_panel_member, is_review_commissioner

from .models import SETTLED_STATUSES, Document, DocumentAccess, DocumentPack, PackItem


def visible_items_filter(user, review) -> Q | None:
    """Which of the review's items the user may know of, as a filter; None for none."""
    if is_review_commissioner(user, review):
        return Q()
    scope = Q(assignee_id=user.pk)
    org_ids = organisation_ids_for_user(user)
    if org_ids:
        scope |= Q(organisation_id__in=org_ids)
    if is_panel_member(user, review):
        return Q() if consent_gate_open(user, review) else scope | Q(is_planner=True)
    if not org_ids and not user.is_authenticated:
        return None
    return scope


def pack_items(user, review, pack):
    """The items of the pack the user may know of, with their current documents: three
    queries however many items and files."""
    scope = visible_items_filter(user, review)
    if scope is None:
        return []
    current = (
        Document.objects.current()
        .select_related("uploaded_by", "rendition")
        .order_by("uploaded_at", "pk")
    )
    items = list(
        PackItem.objects.filter(scope, pack_id=pack.pk)
        .select_related("organisation", "assignee")
        .prefetch_related(Prefetch("documents", queryset=current, to_attr="current_documents"))
        .order_by("position")
    )
    for item in items:
        item.pack = pack
    pack.review = review
    return items


def pack_summary(pack):
    """Counts of all the pack's items, for completeness: one query."""
    return PackItem.objects.filter(pack_id=pack.pk).aggregate(
        total=Count("pk"),
        settled=Count("pk", filter=Q(status__in=SETTLED_STATUSES)),
        core_total=Count("pk", filter=Q(core=True)),
        core_settled=Count("pk", filter=Q(core=True, status__in=SETTLED_STATUSES)),
    )


def pack_for_review_if_made(review):
    return DocumentPack.objects.filter(review=review).first()


def pack_or_unmade(review) -> DocumentPack:
    """The review's pack, or an unsaved empty one: the pack is made when the review is
    scheduled (or by the reminder sweep), never by opening a page."""
    return pack_for_review_if_made(review) or DocumentPack(review=review)


def _item_in_scope(user, item_pk):
    review_id = (
        PackItem.objects.filter(pk=item_pk).values_list("pack__review_id", flat=True).first()
    )
    if review_id is None:
        return None
    review = review_for_user(user, review_id)
    if review is None:
        return None
    scope = visible_items_filter(user, review)
    if scope is None:
        return None
    item = (
        PackItem.objects.filter(scope, pk=item_pk)
        .select_related("pack", "organisation", "assignee", "settled_by")
        .first()
    )
    if item is not None:
        item.pack.review = review
    return item


def item_for_user(user, pk):
    """One item of a pack, with its review (and so its consent gate), or None."""
    return _item_in_scope(user, pk)


def item_documents(item):
    """Every document of the item, current and earlier versions, with who did what."""
    return list(
        item.documents.select_related(
            "uploaded_by", "deleted_by", "replaces", "rendition"
        ).order_by("uploaded_at", "pk")
    )


def current_documents(item):
    return list(item.documents.current().select_related("uploaded_by"))


def document_for_user(user, pk):
    """One document whose item the user may know of, or None. Deleted documents are history:
    they are found only by those who prepare the pack (the rules decide)."""
    item_id = Document.objects.filter(pk=pk).values_list("item_id", flat=True).first()
    if item_id is None:
        return None
    item = _item_in_scope(user, item_id)
    if item is None:
        return None
    document = Document.objects.select_related("uploaded_by", "rendition").filter(pk=pk).first()
    if document is not None:
        document.item = item
    return document


def access_log(pack, limit=100):
    """Who viewed or downloaded what, latest first: one query."""
    return list(
        DocumentAccess.objects.filter(pack_id=pack.pk)
        .select_related("user", "document", "document__item")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def assignable_people(item):
    """Members of the organisation that owes the item."""
    return organisation_members(item.organisation_id)


# --- For the report -----------------------------------------------------------------------

# The checklist item that holds a child's or young adult's education, health and care plan.
EHC_PLAN_CODE = "ehc-plan"


def pack_for_report(review, *, made: bool | None = None) -> list[PackItem] | None:
    """Every item of the review's pack, in order, with its current documents
    (`item.current_documents`, each with `uploaded_at`) and its checklist item's code
    (`item.source_code`), for the report's documents read and missing; None when no pack was
    made. One query however many items and files (two when the pack has no items): the items
    and documents are read-only copies carrying what the report and `documents.rules` ask of
    them (each item's `pack.review` is `review`). `made`: whether a pack was made, where the
    caller read it already (`pack_made`), saving the second query."""
    current = FilteredRelation(
        "documents",
        condition=Q(documents__deleted_at__isnull=True, documents__superseded_at__isnull=True),
    )
    rows = (
        PackItem.objects.filter(pack__review_id=review.pk)
        .annotate(current=current)
        .values(
            *ITEM_FIELDS,
            "source__code",
            "current__pk",
            "current__uploaded_at",
        )
        .order_by("position", "current__uploaded_at", "current__pk")
    )
    items: dict[int, PackItem] = {}
    for row in rows:
        item = items.get(row["pk"])
        if item is None:
            item = items[row["pk"]] = PackItem(**{f: row[f] for f in ITEM_FIELDS})
            item.pack = DocumentPack(pk=row["pack_id"], review=review)
            item.source_code = row["source__code"] or ""
            item.current_documents = []
        if row["current__pk"] is not None:
            item.current_documents.append(
                Document(pk=row["current__pk"], item=item, uploaded_at=row["current__uploaded_at"])
            )
    if not items and not (made if made is not None else pack_made(review).exists()):
        return None
    return list(items.values())


def pack_made(review):
    """Whether the review's pack was made, as a queryset to ask `.exists()` of or to annotate a
    review with (`Exists(pack_made(OuterRef("pk")))`)."""
    return DocumentPack.objects.filter(review_id=review.pk if hasattr(review, "pk") else review)


ITEM_FIELDS = (
    "pk",
    "pack_id",
    "position",
    "title",
    "status",
    "reason",
    "is_planner",
    "organisation_id",
    "assignee_id",
)


def openable_document_ids(user, review, documents) -> set[int]:
    """Which of the review's `documents` the user may open, as `documents.rules` decides
    (the commissioner and those preparing the items they owe, the panel inside its window):
    each document's item is the pack's, whose review came from `review_for_user`."""
    from ctr_portal.permissions import Perm

    if not documents or not user.has_perm(Perm.VIEW_PACK, review):
        return set()
    openable = set()
    for document in documents:
        document.item.pack.review = review
        if user.has_perm(Perm.VIEW_DOCUMENT, document):
            openable.add(document.pk)
    return openable


def documents_for_evidence(user, review) -> list[Document]:
    """The current documents of the review's pack that the user may open, with their items, in
    pack order: a panel member picks from them the document a piece of evidence is from (two
    queries)."""
    scope = visible_items_filter(user, review)
    if scope is None:
        return []
    documents = list(
        Document.objects.current()
        .filter(item__in=PackItem.objects.filter(scope, pack__review_id=review.pk))
        .select_related("item__pack")
        .order_by("item__position", "uploaded_at", "pk")
    )
    readable = openable_document_ids(user, review, documents)
    return [d for d in documents if d.pk in readable]


def current_document_ids_of_review(review_id, ids) -> set[int]:
    """Which of `ids` are current documents of the review's pack (one query)."""
    return set(
        Document.objects.current()
        .filter(pk__in=ids, item__pack__review_id=review_id)
        .values_list("pk", flat=True)
    )
