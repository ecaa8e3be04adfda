"""Synthetic national data for `make bench`, built fast and in order.

The builder runs the functions registered with `@step`, in the order they appear in this file,
each in its own transaction. A step takes `(ctx, volumes)`:

- `volumes` (`Volumes`) says how much to make: `volumes.scaled(full_count)` is the count at the
  chosen --scale (10,000 people is full scale: ten years of national data, domain.md §13).
- `ctx` is the context dict the steps fill and the pages read (`bench/pages.py`). Keep it
  JSON-serialisable (ids, not model instances: `--keep` stores it in the bench database):
    ctx["organisations"][kind] -> [ids]; ctx["organisations"]["big_icb"] -> id
    ctx["user_ids"][group]     -> [ids] (commissioner, provider, local_authority, panel, public,
                                         administrator)
    ctx["users"][role]         -> id of the one user who signs in as that role
    ctx["counts"][table]       -> rows made

Later issues append steps at the end (reviews after people, documents after reviews, ...):

    @step
    def reviews(ctx, volumes):
        ...bulk_create(batch_size=BATCH)...
        ctx["reviews"] = {"big": review_id}
        ctx["counts"]["reviews"] = n

Use bulk_create in batches (or INSERT ... SELECT in SQL for millions of rows, as `audit_events`
does); never save() row by row.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter

from django.db import connection, transaction

FULL_SCALE = 10_000  # people: ten years of national data (domain.md §13)
PEOPLE_PER_USER = 2  # so full scale has 5,000 accounts
BATCH = 2_000
SEED = 20250101

# The organisations of England at full scale.
ORGANISATIONS = {"icb": 42, "specialised": 10, "provider": 200, "local_authority": 150}

# How the accounts split between groups (the rest, after administrators, are public users).
USER_SHARES = {"commissioner": 0.30, "provider": 0.30, "local_authority": 0.20, "panel": 0.10}
ADMINISTRATORS = 10
BIG_ICB_SHARE = 0.10  # the first ICB holds this share of ICB commissioners
SECOND_MEMBERSHIP_EVERY = 10  # one commissioner in ten also belongs to a second organisation

AUDIT_EVENTS = 2_000_000
AUDIT_YEARS = 10
TWO_FACTOR_NAME = "Bench authenticator"


@dataclass(frozen=True)
class Volumes:
    scale: int = FULL_SCALE

    @property
    def factor(self) -> float:
        return self.scale / FULL_SCALE

    def scaled(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.factor))

    @property
    def users(self) -> int:
        return self.scaled(FULL_SCALE // PEOPLE_PER_USER, minimum=10)

    @property
    def audit_events(self) -> int:
        return self.scaled(AUDIT_EVENTS, minimum=100)


StepFunction = Callable[[dict, Volumes], None]
STEPS: list[StepFunction] = []


def step(func: StepFunction) -> StepFunction:
    """Register a build step; steps run in the order they are registered."""
    if func.__name__ in {s.__name__ for s in STEPS}:
        raise ValueError(f"A bench data step is already called {func.__name__!r}.")
    STEPS.append(func)
    return func


def new_context(volumes: Volumes) -> dict:
    return {"scale": volumes.scale, "organisations": {}, "user_ids": {}, "users": {}, "counts": {}}


def build(volumes: Volumes, out: Callable[[str], None] = print) -> tuple[dict, dict[str, float]]:
    """Run every step, then ANALYZE. Returns the context and seconds taken per step."""
    ctx = new_context(volumes)
    timings: dict[str, float] = {}
    for func in STEPS:
        started = perf_counter()
        with transaction.atomic():
            func(ctx, volumes)
        timings[func.__name__] = perf_counter() - started
        out(f"  {func.__name__:<22} {timings[func.__name__]:7.1f} s")
    started = perf_counter()
    analyze()
    timings["analyze"] = perf_counter() - started
    out(f"  {'analyze':<22} {timings['analyze']:7.1f} s")
    return ctx, timings


def analyze() -> None:
    """Fresh planner statistics, and on PostgreSQL the visibility map autovacuum would have made
    of ten years of rows (so index-only scans work as they would in production). VACUUM cannot
    run in a transaction: inside one (the bench's own test) the statistics alone are made."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


# --- steps -------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mo",
    "Nia",
    "Oscar",
    "Priya",
    "Quinn",
    "Ruth",
    "Sam",
    "Tom",
    "Uma",
    "Vic",
    "Will",
    "Yasmin",
    "Zac",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nolan",
    "Owen",
    "Patel",
    "Roberts",
    "Singh",
    "Taylor",
    "Walker",
    "Wright",
    "Young",
]
PLACES = [
    "North",
    "South",
    "East",
    "West",
    "Mid",
    "Greater",
    "Upper",
    "Lower",
    "Central",
    "Coastal",
]
AREAS = [
    "Shore",
    "Vale",
    "Downs",
    "Fens",
    "Moor",
    "Dales",
    "Marches",
    "Weald",
    "Wolds",
    "Peaks",
    "Forest",
    "Riverside",
    "Lakes",
    "Chase",
    "Heath",
]


def _place(n: int) -> str:
    place = f"{PLACES[n % len(PLACES)]} {AREAS[(n // len(PLACES)) % len(AREAS)]}"
    cycle = n // (len(PLACES) * len(AREAS))
    return f"{place} {cycle + 1}" if cycle else place


ORGANISATION_NAMES = {
    "icb": "NHS {place} Integrated Care Board",
    "specialised": "{place} Provider Collaborative",
    "provider": "{place} Hospital",
    "local_authority": "{place} Council",
}


@step
def organisations(ctx, volumes):
    from ctr_portal.models import Organisation

    rows = []
    for kind, full in ORGANISATIONS.items():
        count = volumes.scaled(full, minimum=2 if kind == "icb" else 1)
        template = ORGANISATION_NAMES[kind]
        prefix = {"icb": "Q", "specialised": "S", "provider": "R", "local_authority": "L"}[kind]
        rows += [
            Organisation(
                name=template.format(place=_place(i)), kind=kind, ods_code=f"{prefix}B{i:04d}"
            )
            for i in range(count)
        ]
    made = Organisation.objects.bulk_create(rows, batch_size=BATCH)
    for kind in ORGANISATIONS:
        ctx["organisations"][kind] = [o.pk for o in made if o.kind == kind]
    ctx["organisations"]["big_icb"] = ctx["organisations"]["icb"][0]
    ctx["counts"]["organisations"] = len(made)


@step
def users(ctx, volumes):
    from ctr_portal.models import User

    rng = random.Random(SEED)
    total = volumes.users
    administrators = volumes.scaled(ADMINISTRATORS)
    sizes = {group: max(1, round(total * share)) for group, share in USER_SHARES.items()}
    sizes["administrator"] = administrators
    sizes["public"] = max(2, total - sum(sizes.values()))

    rows, groups = [], []
    n = 0
    for group, size in sizes.items():
        for _ in range(size):
            n += 1
            rows.append(
                User(
                    email=f"{group.replace('_', '.')}.{n}@bench.example.nhs.uk",
                    display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    kind=User.Kind.PUBLIC if group == "public" else User.Kind.PROFESSIONAL,
                    is_staff=group == "administrator",
                    is_superuser=group == "administrator",
                    password="!bench-unusable",
                )
            )
            groups.append(group)
    made = User.objects.bulk_create(rows, batch_size=BATCH)
    for group in sizes:
        ctx["user_ids"][group] = [u.pk for u, g in zip(made, groups, strict=True) if g == group]
    ctx["users"]["administrator"] = ctx["user_ids"]["administrator"][0]
    ctx["users"]["provider"] = ctx["user_ids"]["provider"][0]
    ctx["users"]["local_authority"] = ctx["user_ids"]["local_authority"][0]
    panel = ctx["user_ids"]["panel"]
    ctx["users"]["clinical_expert"] = panel[0]
    ctx["users"]["expert_by_experience"] = panel[-1]
    public = ctx["user_ids"]["public"]
    ctx["users"]["person"] = public[0]
    ctx["users"]["family_carer"] = public[-1]
    ctx["counts"]["users"] = len(made)


@step
def memberships(ctx, volumes):
    """Commissioners in ICBs (one big ICB) and specialised commissioning; provider and local
    authority staff in theirs. The signed-in commissioner is a member of the big ICB."""
    from ctr_portal.models import Membership

    orgs = ctx["organisations"]
    commissioners = ctx["user_ids"]["commissioner"]
    specialised_count = max(1, len(commissioners) // 7)
    icb_commissioners = commissioners[: len(commissioners) - specialised_count]
    specialised_commissioners = commissioners[len(icb_commissioners) :] or commissioners[-1:]
    big = max(1, round(len(icb_commissioners) * BIG_ICB_SHARE))

    pairs: dict[tuple[int, int], str] = {}

    def add(user_ids, org_ids, job_title):
        for i, user_id in enumerate(user_ids):
            pairs.setdefault((user_id, org_ids[i % len(org_ids)]), job_title)

    add(icb_commissioners[:big], [orgs["big_icb"]], "Case manager")
    add(icb_commissioners[big:], orgs["icb"][1:] or orgs["icb"], "Case manager")
    add(specialised_commissioners, orgs["specialised"], "Specialised commissioning case manager")
    add(ctx["user_ids"]["provider"], orgs["provider"], "Ward manager")
    add(ctx["user_ids"]["local_authority"], orgs["local_authority"], "Social worker")
    # Some commissioners work for a second commissioning organisation.
    commissioning = orgs["specialised"] + orgs["icb"]
    for i, user_id in enumerate(commissioners[::SECOND_MEMBERSHIP_EVERY]):
        pairs.setdefault((user_id, commissioning[i % len(commissioning)]), "Senior case manager")

    rows = [
        Membership(user_id=user_id, organisation_id=org_id, job_title=job_title)
        for (user_id, org_id), job_title in pairs.items()
    ]
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    ctx["users"]["commissioner"] = icb_commissioners[0]
    ctx["users"]["specialised_commissioner"] = specialised_commissioners[0]
    ctx["counts"]["memberships"] = len(rows)


@step
def two_factor_devices(ctx, volumes):
    """Every professional has a confirmed authenticator (so sign-in can pass the second factor)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    professional = [
        user_id for group, ids in ctx["user_ids"].items() if group != "public" for user_id in ids
    ]
    rows = [
        TOTPDevice(user_id=user_id, name=TWO_FACTOR_NAME, confirmed=True)
        for user_id in professional
    ]
    TOTPDevice.objects.bulk_create(rows, batch_size=BATCH)
    ctx["counts"]["two_factor_devices"] = len(rows)


AUDIT_CHUNK = 250_000


@step
def audit_events(ctx, volumes):
    """Ten years of audit trail, generated inside the database (INSERT ... SELECT over a series)
    so two million rows take seconds, not the minutes bulk_create would."""
    from ctr_portal.models import AuditEvent

    total = volumes.audit_events
    actions = [value for value, _ in AuditEvent.Action.choices]
    actors = [user_id for group, ids in ctx["user_ids"].items() for user_id in ids]
    objects = [
        ("ctr_portal.organisation", str(pk))
        for kind, ids in ctx["organisations"].items()
        if kind != "big_icb"
        for pk in ids
    ]
    objects += [("ctr_portal.user", str(pk)) for pk in actors]
    step_seconds = AUDIT_YEARS * 365.25 * 24 * 3600 / total
    insert, now = _audit_insert(AuditEvent)

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: the indexes take random inserts.
            cursor.execute("PRAGMA cache_size = -262144")
        _temp_table(cursor, "bench_actor", "actor_id BIGINT", [(a,) for a in actors])
        _temp_table(cursor, "bench_action", "action VARCHAR(40)", [(a,) for a in actions])
        _temp_table(
            cursor, "bench_object", "object_type VARCHAR(60), object_id VARCHAR(40)", objects
        )
        for start in range(0, total, AUDIT_CHUNK):
            end = min(total, start + AUDIT_CHUNK) - 1
            params = [now, step_seconds, start, end, len(actors), len(actions), len(objects)]
            cursor.execute(insert, params)
        for name in ("bench_actor", "bench_action", "bench_object"):
            cursor.execute(f"DROP TABLE {name}")
    ctx["counts"]["audit_events"] = total


def _audit_insert(model) -> tuple[str, object]:
    """The INSERT ... SELECT that makes one chunk of audit events on this database, from the
    temporary tables of actors, actions and objects, and the time (now, as this database takes
    it) the events count back from."""
    now = datetime.now(UTC).replace(microsecond=0)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column)
        for name in (
            "occurred_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "ip_address",
            "request_id",
        )
    )
    if connection.vendor == "postgresql":
        series = "generate_series(%s::bigint, %s::bigint) AS s(g)"
        occurred = "%s::timestamptz - (s.g * %s) * interval '1 second'"
        now_param = now
    else:
        series = (
            "(WITH RECURSIVE r(g) AS (SELECT %s UNION ALL SELECT g + 1 FROM r WHERE g < %s) "
            "SELECT g FROM r) AS s"
        )
        occurred = "datetime(%s, '-' || CAST(s.g * %s AS INTEGER) || ' seconds')"
        now_param = now.strftime("%Y-%m-%d %H:%M:%S")
    # The SQL's own modulo signs are written %% (the driver's placeholders are %s).
    insert = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT {occurred}, "
        # One event in fifty has no actor (a failed sign-in for an unknown address).
        "CASE WHEN s.g %% 50 = 0 THEN NULL ELSE a.actor_id END, "
        "c.action, o.object_type, o.object_id, NULL, '' "
        f"FROM {series} "
        "JOIN bench_actor a ON a.n = s.g %% %s "
        "JOIN bench_action c ON c.n = (s.g / 7) %% %s "
        "JOIN bench_object o ON o.n = (s.g * 7919) %% %s"
    )
    return insert, now_param


def _temp_table(cursor, name, columns, rows):
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} (n INTEGER PRIMARY KEY, {columns})")
    width = len(rows[0]) + 1
    placeholders = ", ".join(["%s"] * width)
    cursor.executemany(
        f"INSERT INTO {name} VALUES ({placeholders})", [(i, *row) for i, row in enumerate(rows)]
    )


# --- reviews (issue 4) ------------------------------------------------------------------------

PEOPLE = FULL_SCALE
REVIEWS_PER_PERSON = 6  # 60,000 reviews for 10,000 people at full scale
BIG_ICB_PEOPLE_SHARE = 0.05
OPEN_REVIEW_EVERY = 3  # one person in three has a review in progress


@step
def people(ctx, volumes):
    """People spread over the commissioning organisations (the big ICB holds 5 %), about half
    in hospital, with every DSR rating."""
    from datetime import date, timedelta

    from reviews.models import Person
    from reviews.nhs_number import made_up_nhs_number

    rng = random.Random(SEED + 1)
    orgs = ctx["organisations"]
    commissioning = orgs["icb"] + orgs["specialised"]
    count = volumes.scaled(PEOPLE, minimum=30)
    big = max(25, round(count * BIG_ICB_PEOPLE_SHARE))
    creator = ctx["users"]["commissioner"]
    rows = []
    for i in range(count):
        org = orgs["big_icb"] if i < big else commissioning[i % len(commissioning)]
        in_hospital = i % 2 == 0
        setting = (
            rng.choice(["non_secure", "low_secure", "medium_secure"])
            if in_hospital
            else "community"
        )
        rows.append(
            Person(
                given_name=rng.choice(FIRST_NAMES),
                family_name=rng.choice(LAST_NAMES),
                nhs_number=made_up_nhs_number(600_000_000 + i * 11),
                date_of_birth=date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50)),
                has_learning_disability=i % 3 != 0,
                has_autism=i % 3 != 1,
                setting=setting,
                provider_id=orgs["provider"][i % len(orgs["provider"])] if in_hospital else None,
                ward="Ward 1" if in_hospital else "",
                admission_date=date(2025, 1, 1) + timedelta(days=i % 300) if in_hospital else None,
                responsible_commissioner_id=org,
                local_authority_id=orgs["local_authority"][i % len(orgs["local_authority"])],
                dsr_rating="blue" if in_hospital else rng.choice(["red", "amber", "green"]),
                communication="Speak slowly and check I have understood.",
                created_by_id=creator,
            )
        )
    made = Person.objects.bulk_create(rows, batch_size=BATCH)
    ctx["people"] = {"big_icb": [p.pk for p in made[:big]]}
    ctx["counts"]["people"] = len(made)


@step
def reviews(ctx, volumes):
    """Six reviews a person over ten years: the old ones closed, one in three people with a
    review in progress; a panel of three on each, a consent record and two timeline entries."""
    from reviews.models import ConsentRecord, Participant, Person, Review, ReviewEvent

    creator = ctx["users"]["commissioner"]
    people_rows = list(
        Person.objects.values_list("pk", "responsible_commissioner_id", "provider_id", "setting")
    )
    made = Review.objects.bulk_create(_review_rows(people_rows, creator), batch_size=BATCH)
    ctx["counts"]["reviews"] = len(made)

    participants = _participant_rows(made, ctx, creator)
    Participant.objects.bulk_create(participants, batch_size=BATCH)
    ConsentRecord.objects.bulk_create(_consent_rows(made, creator), batch_size=BATCH)
    ReviewEvent.objects.bulk_create(_timeline_rows(made, creator), batch_size=BATCH)
    ctx["counts"]["participants"] = len(participants)

    big_people = set(ctx["people"]["big_icb"])
    big_review = next(r for r in made if r.person_id in big_people and r.state != "closed")
    ctx["reviews"] = {"big_icb_open": big_review.pk}
    # The signed-in commissioner chairs the review the bench opens (the chair's pages need it).
    Participant.objects.filter(review_id=big_review.pk, role="chair").update(user_id=creator)
    clinical = (
        Participant.objects.filter(review_id=big_review.pk, role="clinical_expert")
        .values_list("user_id", flat=True)
        .first()
    )
    ctx["users"]["review_clinical_expert"] = clinical


def _review_rows(people_rows, creator) -> list:
    """REVIEWS_PER_PERSON reviews for each (person, commissioner, provider, setting): the
    latest of one person in OPEN_REVIEW_EVERY is in progress, every other one closed."""
    from datetime import date, timedelta

    from django.utils import timezone

    from reviews.models import Review

    rng = random.Random(SEED + 2)
    today = timezone.localdate()
    per_person = REVIEWS_PER_PERSON
    open_states = ["planned", "scheduled", "preparing", "ready"]
    rows = []
    for n, (person_id, org, provider, setting) in enumerate(people_rows):
        for k in range(per_person):
            latest = k == per_person - 1
            is_open = latest and n % OPEN_REVIEW_EVERY == 0
            held = None if is_open else date(2016, 1, 1) + timedelta(days=(k * 600 + n) % 3600)
            due = (today + timedelta(days=rng.randrange(-20, 70))) if is_open else held
            starts = (
                (timezone.now() + timedelta(days=rng.randrange(1, 60)))
                if is_open and n % 2 == 0
                else None
            )
            rows.append(
                Review(
                    person_id=person_id,
                    kind="inpatient_repeat" if setting != "community" else "community",
                    state=open_states[n % 4] if is_open else "closed",
                    commissioner_id=org,
                    setting=setting,
                    provider_id=provider,
                    due_date=due,
                    due_rule="repeat_adult_non_secure",
                    held_on=held,
                    starts_at=starts,
                    duration_minutes=420 if starts else None,
                    venue="Meeting room" if starts else "",
                    created_by_id=creator,
                )
            )
    return rows


def _participant_rows(reviews, ctx, creator) -> list:
    """A chair, a clinical expert and an expert by experience on each review, all declared."""
    from django.utils import timezone

    from reviews.models import Participant

    chairs = ctx["user_ids"]["commissioner"]
    panel = ctx["user_ids"]["panel"]
    rows = []
    for i, review in enumerate(reviews):
        for j, role in enumerate(("chair", "clinical_expert", "expert_by_experience")):
            if role == "chair":
                # Chairs rotate among the commissioners: about 40 reviews each in ten years.
                user_id = chairs[i % len(chairs)]
            elif role == "clinical_expert" or len(panel) > 1:
                user_id = panel[(i + j) % len(panel)]
            else:
                user_id = None  # too few panel accounts at a tiny scale: invited, no account
            rows.append(
                Participant(
                    review_id=review.pk,
                    role=role,
                    user_id=user_id,
                    name="Panel member",
                    email=f"p{review.pk}.{j}@bench.example.nhs.uk",
                    added_by_id=creator,
                    invited_at=timezone.now(),
                    independence_declared_at=timezone.now(),
                )
            )
    return rows


def _consent_rows(reviews, creator) -> list:
    from django.utils import timezone

    from reviews.models import ConsentRecord

    today = timezone.localdate()
    return [
        ConsentRecord(
            review_id=review.pk,
            decision="consented",
            route="own",
            shares_information=True,
            decided_on=review.held_on or today,
            recorded_by_id=creator,
        )
        for review in reviews
    ]


def _timeline_rows(reviews, creator) -> list:
    from reviews.models import ReviewEvent

    return [
        event
        for review in reviews
        for event in (
            ReviewEvent(
                review_id=review.pk,
                kind="transition",
                to_state="planned",
                summary="Planned",
                actor_id=creator,
            ),
            ReviewEvent(
                review_id=review.pk, kind="due_date", summary="Due date set", actor_id=creator
            ),
        )
    ]


# --- document packs (issue 5) --------------------------------------------------------------


@step
def document_packs(ctx, volumes):
    """Documents (issue 5): the big review's pack, every item provided with two small PDFs."""
    import io

    from django.core.files.base import ContentFile
    from pypdf import PdfWriter

    from documents.models import (
        Document,
        DocumentKind,
        DocumentPack,
        ItemStatus,
        PackItem,
        ScanStatus,
        document_storage,
    )
    from documents.services import pack_for_review
    from reviews.models import Review

    review = Review.objects.select_related(
        "person", "person__provider", "person__local_authority", "commissioner", "provider"
    ).get(pk=ctx["reviews"]["big_icb_open"])
    pack = pack_for_review(review=review)
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    storage = document_storage()
    items = list(PackItem.objects.filter(pack=pack))
    documents = []
    for item in items:
        for n in range(2):
            name = storage.save(f"documents/bench-{pack.pk}-{item.pk}-{n}", ContentFile(pdf))
            documents.append(
                Document(
                    item=item,
                    file=name,
                    original_name=f"bench-{n}.pdf",
                    kind=DocumentKind.PDF,
                    content_type="application/pdf",
                    size=len(pdf),
                    sha256="0" * 64,
                    scan_status=ScanStatus.NOT_SCANNED,
                    uploaded_by_id=ctx["users"]["commissioner"],
                )
            )
    Document.objects.bulk_create(documents, batch_size=BATCH)
    PackItem.objects.filter(pack=pack).update(status=ItemStatus.PROVIDED)
    _every_review_s_pack(pack, DOCUMENTS_PER_REVIEW)
    ctx["documents"] = {"item": items[0].pk, "packs": DocumentPack.objects.count()}
    ctx["counts"]["documents"] = Document.objects.count()


DOCUMENTS_PER_REVIEW = 25  # 1.5 million documents for 60,000 reviews at full scale


def _every_review_s_pack(big_pack, per_review: int) -> None:
    """Every other review's pack, made inside the database (INSERT ... SELECT) as copies of the
    big review's pack: its checklists, its items (provided on held reviews, outstanding on open
    ones) and `per_review` documents spread over the items (rows only: no files are stored)."""
    from documents.models import Document, DocumentPack, PackItem
    from reviews.models import Review

    q = connection.ops.quote_name
    pack_t, item_t, doc_t = (q(m._meta.db_table) for m in (DocumentPack, PackItem, Document))
    review_t = q(Review._meta.db_table)
    through = DocumentPack.templates.through
    template_item = PackItem.objects.filter(pack=big_pack).order_by("position").first()
    template_doc = Document.objects.filter(item__pack=big_pack).order_by("pk").first()
    item_count = PackItem.objects.filter(pack=big_pack).count()
    with connection.cursor() as cursor:
        _insert_copy(
            cursor,
            DocumentPack,
            big_pack.pk,
            {"review_id": "r.id"},
            f"{review_t} r",
            "r.id <> %s",
            [big_pack.review_id],
        )
        cursor.execute(
            f"INSERT INTO {q(through._meta.db_table)} (documentpack_id, checklisttemplate_id) "
            f"SELECT p.id, bt.checklisttemplate_id FROM {pack_t} p "
            f"CROSS JOIN {q(through._meta.db_table)} bt "
            "WHERE bt.documentpack_id = %s AND p.id <> %s",
            [big_pack.pk, big_pack.pk],
        )
        _copy_items(cursor, big_pack, template_item, pack_t, review_t, item_t)
        _temp_table(cursor, "bench_n", "k INTEGER", [(k,) for k in range(per_review)])
        _insert_copy(
            cursor,
            Document,
            template_doc.pk,
            {
                "item_id": "i.id",
                "file": "'documents/bench-' || CAST(p.id AS VARCHAR(20)) || '-' || "
                "CAST(n.k AS VARCHAR(10))",
                "original_name": "'bench-' || CAST(n.k AS VARCHAR(10)) || '.pdf'",
            },
            f"{pack_t} p CROSS JOIN bench_n n JOIN {item_t} i ON i.pack_id = p.id "
            f"AND i.position = n.k %% {item_count} + 1",
            "p.id <> %s",
            [big_pack.pk],
        )
        cursor.execute("DROP TABLE bench_n")


def _copy_items(cursor, big_pack, template_item, pack_t, review_t, item_t) -> None:
    """The big pack's items, copied to every other pack: provided on closed reviews."""
    from documents.models import PackItem

    _insert_copy(
        cursor,
        PackItem,
        template_item.pk,
        {
            "pack_id": "p.id",
            "source_id": "b.source_id",
            "position": "b.position",
            "title": "b.title",
            "hint": "b.hint",
            "core": "b.core",
            "is_planner": "b.is_planner",
            "responsible": "b.responsible",
            "organisation_id": "CASE WHEN b.responsible = 'provider' AND r.provider_id IS "
            "NOT NULL THEN r.provider_id ELSE r.commissioner_id END",
            "status": "CASE WHEN r.state = 'closed' THEN 'provided' ELSE 'outstanding' END",
        },
        f"{pack_t} p JOIN {review_t} r ON r.id = p.review_id CROSS JOIN {item_t} b",
        "b.pack_id = %s AND p.id <> %s",
        [big_pack.pk, big_pack.pk],
    )


def _insert_copy(cursor, model, template_pk: int, overrides: dict, joins: str, where, params):
    """INSERT INTO model's table one row for each row of `joins` (SQL for FROM) meeting `where`,
    every column copied from the template row `t` unless `overrides` gives its SQL expression:
    a bulk insert that keeps every NOT NULL column filled without listing them."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    values = [overrides.get(c, f"t.{q(c)}") for c in columns]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {', '.join(values)} FROM {table} t CROSS JOIN {joins} "
        f"WHERE t.id = %s AND ({where})",
        [template_pk, *params],
    )


# --- panels (issue 6) ------------------------------------------------------------------------


@step
def panels(ctx, volumes):
    """Panels (issue 6): every held review has its panel's three workbooks, an answer to each of
    the 11 KLOEs in each, and the chair's consolidation; the big open review has a full panel
    (each answer with three pieces of evidence, one a quote, and a suggestion) and the
    provider's KLOE 5 and 6 part. The bulk is made inside the database (INSERT ... SELECT)."""
    from django.db.models import Q
    from django.utils import timezone

    from panels.models import ConsolidatedKloe, Kloe, KloeAnswer, KloeSet, Panel, Workbook
    from reviews.models import Review

    kloe_set = KloeSet.objects.current()  # version 1, from the data migration
    now = timezone.now()
    big = ctx["reviews"]["big_icb_open"]
    chair = ctx["users"]["commissioner"]
    place = {"community": "community", "non_secure": "hospital"}
    rows = [
        Panel(
            review_id=pk,
            kloe_set=kloe_set,
            workbook_kind=f"adult_{place.get(setting, 'secure')}",
            formed_at=now,
            consolidation_finished_at=None if pk == big else now,
            consolidation_finished_by_id=None if pk == big else chair,
        )
        for pk, setting in Review.objects.filter(Q(state="closed") | Q(pk=big))
        .order_by()
        .values_list("pk", "setting")
    ]
    Panel.objects.bulk_create(rows, batch_size=BATCH)
    _workbooks_and_answers(now)
    consolidated = [
        ConsolidatedKloe(
            panel_id=panel_id,
            kloe_id=kloe_id,
            finding="The panel agreed the care is safe but the plan for leaving hospital has "
            "no date.",
            rating="some_concerns",
            reasoning="Members' ratings differed; the MDT minutes decided it.",
            version=1,
            updated_by_id=chair,
            updated_at=now,
        )
        for panel_id in Panel.objects.exclude(review_id=big).values_list("pk", flat=True)
        for kloe_id in Kloe.objects.filter(kloe_set=kloe_set, audience="adult").values_list(
            "pk", flat=True
        )
    ]
    ConsolidatedKloe.objects.bulk_create(consolidated, batch_size=BATCH)
    _big_panel_details(Panel.objects.get(review_id=big), ctx["users"]["provider"], now)
    ctx["counts"]["workbooks"] = Workbook.objects.count()
    ctx["counts"]["kloe_answers"] = KloeAnswer.objects.count()


def _workbooks_and_answers(now) -> None:
    """A workbook for every participant of a review with a panel, and in each an answer to
    every adult KLOE of the panel's set, made inside the database."""
    from panels.models import Kloe, KloeAnswer, Panel, Workbook
    from reviews.models import Participant

    q = connection.ops.quote_name
    table = {m: q(m._meta.db_table) for m in (Panel, Workbook, KloeAnswer, Kloe, Participant)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table[Workbook]} (panel_id, participant_id, created_at, submitted_at, "
            "reopened_at, is_safe, good_care_now, future_plans, community_care, "
            "key_questions_version, key_questions_updated_at) "
            f"SELECT p.id, pa.id, %s, %s, NULL, 'Yes, day to day.', 'Kind but too little "
            "therapy.', 'A plan with no date yet.', 'Yes, with the right provider.', 1, %s "
            f"FROM {table[Panel]} p JOIN {table[Participant]} pa ON pa.review_id = p.review_id",
            [now, now, now],
        )
        cursor.execute(
            f"INSERT INTO {table[KloeAnswer]} (workbook_id, kloe_id, findings, rating, "
            "immediate_safety_concern, concern_detail, version, updated_at) "
            "SELECT w.id, k.id, 'Staff know the person well. The care plan is out of date and "
            "the family were not asked about the last medication change.', "
            "CASE (w.id + k.number) %% 4 WHEN 0 THEN 'no_concerns' WHEN 1 THEN 'some_concerns' "
            "WHEN 2 THEN 'some_concerns' ELSE 'not_able_to_assess' END, %s, '', 2, %s "
            f"FROM {table[Workbook]} w JOIN {table[Panel]} p ON p.id = w.panel_id "
            f"JOIN {table[Kloe]} k ON k.kloe_set_id = p.kloe_set_id AND k.audience = 'adult'",
            [False, now],
        )


BIG_PANEL_EVIDENCE = [
    ("document", "Positive behaviour support plan", "Reviewed 14 months ago"),
    ("conversation", "The person", "Nobody asked me what I like."),
    ("observation", "The ward at lunch", "Loud; no quiet space offered"),
]


def _big_panel_details(panel, provider, now) -> None:
    """The open review's panel in full: three pieces of evidence (one a quote) and a suggestion
    on every answer, and the provider's part (KLOE 5 and 6)."""
    from panels.models import Evidence, Kloe, KloeAnswer, ProviderPart, SuggestedRecommendation

    answers = list(KloeAnswer.objects.filter(workbook__panel=panel).values_list("pk", flat=True))
    Evidence.objects.bulk_create(
        [
            Evidence(
                answer_id=answer,
                position=n + 1,
                source_kind=kind,
                source=source,
                shows=shows,
                quote_from="person" if kind == "conversation" else "",
            )
            for answer in answers
            for n, (kind, source, shows) in enumerate(BIG_PANEL_EVIDENCE)
        ],
        batch_size=BATCH,
    )
    SuggestedRecommendation.objects.bulk_create(
        [
            SuggestedRecommendation(
                answer_id=answer,
                position=1,
                text="Review the positive behaviour support plan with the person and family",
                owner="Ward psychologist",
                timescale="Within 4 weeks",
            )
            for answer in answers
        ],
        batch_size=BATCH,
    )
    ProviderPart.objects.bulk_create(
        ProviderPart(
            panel=panel,
            kloe=kloe,
            text="Completed by the provider before the day.",
            updated_by_id=provider,
            updated_at=now,
        )
        for kloe in Kloe.objects.filter(
            kloe_set_id=panel.kloe_set_id, audience="adult", number__in=(5, 6)
        )
    )


@step
def portal(ctx, volumes):
    """The portal (issue 12): the bench's family carer follows the big open review and the
    person's earlier ones (invited by the consent); a request from them waits for the
    commissioner; the panel gave feedback on every held review of the big ICB."""
    from portal.models import Request
    from reviews.models import ConsentInvitee, ConsentRecord, Contact, Participant, Review

    family = ctx["users"]["family_carer"]
    creator = ctx["users"]["commissioner"]
    big = Review.objects.select_related("person").get(pk=ctx["reviews"]["big_icb_open"])
    contact = Contact.objects.create(
        person=big.person, name="Bench Carer", relationship="family_carer", email="f@b.example"
    )
    followed = list(Review.objects.filter(person=big.person).order_by("-pk")[:4])
    held = next(r for r in followed if r.held_on is not None)
    ctx["reviews"]["big_icb_held"] = held.pk
    Participant.objects.bulk_create(
        Participant(
            review=review,
            role="family_carer",
            user_id=family,
            contact=contact,
            name="Bench Carer",
            email="f@b.example",
            added_by_id=creator,
        )
        for review in followed
    )
    ConsentInvitee.objects.bulk_create(
        ConsentInvitee(consent=record, contact=contact, may_receive_report=True)
        for record in ConsentRecord.objects.filter(review__in=followed)
    )
    Request.objects.create(
        person=big.person,
        review=big,
        commissioner_id=big.commissioner_id,
        kind="review",
        details="Please review the leave plan.",
        made_by_id=family,
        made_by_role="Family carer",
    )
    ctx["counts"]["feedback"] = _panel_feedback(ctx["people"]["big_icb"])


def _panel_feedback(people) -> int:
    """Every panel member with an account gave feedback on every held review of `people`."""
    from django.utils import timezone

    from portal.models import Feedback
    from reviews.models import Participant

    panel = Participant.objects.filter(
        review__person_id__in=people, review__held_on__isnull=False, user__isnull=False
    ).values_list("review_id", "user_id")
    now = timezone.now()
    made = Feedback.objects.bulk_create(
        (
            Feedback(review_id=r, given_by_id=u, group="panel", involved=3, clear=4, given_at=now)
            for r, u in panel.iterator()
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return len(made)


RECOMMENDATIONS = 100_000  # at full scale: the reminder sweep's volume (issue 11)
RECOMMENDATION_DAYS = 3_650  # due dates over the last ten years and the next six months
RECOMMENDATION_OPEN_SINCE_DAYS = 120  # recommendations due longer ago are mostly closed


@step
def recommendations(ctx, volumes):
    """Recommendations on the held reviews, due over ten years to six months ahead: the old
    ones closed, about one in twelve still open, those stuck more than 28 days already escalated
    to the oversight panel (as earlier daily sweeps would have), none yet swept for reminders."""
    from ctr_portal.models import Membership, Organisation
    from recommendations.models import Recommendation
    from reviews.models import Review

    today = timezone_today()
    panel = Organisation.objects.create(name="ICS C(E)TR oversight panel", kind="oversight_panel")
    Membership.objects.create(
        user_id=ctx["user_ids"]["commissioner"][-1], organisation=panel, job_title="Member"
    )
    ctx["users"]["oversight_panel"] = ctx["user_ids"]["commissioner"][-1]
    reviews = list(
        Review.objects.filter(state="closed").order_by("pk").values_list("pk", flat=True)
    )
    owners = ctx["user_ids"]["provider"]
    count = volumes.scaled(RECOMMENDATIONS, minimum=100)
    rng = random.Random(SEED + 11)
    rows = [
        _recommendation_row(i, reviews, owners, panel.pk, today, rng, ctx["users"]["commissioner"])
        for i in range(count)
    ]
    Recommendation.objects.bulk_create(rows, batch_size=BATCH)
    total = max(count, RECOMMENDATIONS_PER_REVIEW * ctx["counts"]["reviews"])
    _old_recommendations(rows[0], total - count, owners, first_number=-(-count // len(reviews)) + 1)
    ctx["counts"]["recommendations"] = Recommendation.objects.count()
    ctx["counts"]["recommendations_swept"] = count


RECOMMENDATIONS_PER_REVIEW = 15  # 900,000 at full scale, of which RECOMMENDATIONS are recent


def _old_recommendations(template, count: int, owners, *, first_number: int) -> None:
    """`count` more recommendations on the held reviews, all long closed (nine in ten done),
    due on the day their review was held: ten years of history the reminder sweep passes over.
    Made inside the database (INSERT ... SELECT), numbered on from `first_number`."""
    from recommendations.models import Recommendation
    from reviews.models import Review

    if count <= 0:
        return
    q = connection.ops.quote_name
    closed = Review.objects.filter(state="closed").count()
    per_review = -(-count // closed)
    with connection.cursor() as cursor:
        _temp_table(cursor, "bench_n", "k INTEGER", [(k,) for k in range(per_review)])
        _temp_table(cursor, "bench_owner", "owner_id BIGINT", [(o,) for o in owners])
        _insert_copy(
            cursor,
            Recommendation,
            template.pk,
            {
                "review_id": "r.id",
                "owner_id": "o.owner_id",
                "number": f"n.k + {int(first_number)}",
                "due_date": "r.held_on",
                "state": "CASE WHEN (r.id + n.k) %% 10 = 0 THEN 'not_achieved' ELSE 'done' END",
                "escalated_to_id": "NULL",
                "escalated_at": "NULL",
                "escalation_reason": "''",
                "closed_at": "t.created_at",
                "reminders_next_on": "NULL",
            },
            f"{q(Review._meta.db_table)} r CROSS JOIN bench_n n "
            f"JOIN bench_owner o ON o.n = (r.id + n.k) %% {len(owners)}",
            # The last round only on some reviews, so the total comes near `count`.
            "r.state = 'closed' AND (n.k < %s OR r.id %% %s < %s)",
            [per_review - 1, closed, count - (per_review - 1) * closed],
        )
        cursor.execute("DROP TABLE bench_n")
        cursor.execute("DROP TABLE bench_owner")


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def _recommendation_row(i, reviews, owners, panel, today, rng, creator):
    from datetime import timedelta

    from django.utils import timezone

    from recommendations.models import Recommendation

    offset = rng.randrange(-RECOMMENDATION_DAYS, 183)
    due = today + timedelta(days=offset)
    if offset >= -RECOMMENDATION_OPEN_SINCE_DAYS or rng.random() < 0.01:
        state = ["agreed", "in_progress", "awaiting_owner"][i % 3]
    else:
        state = "done" if rng.random() < 0.9 else "not_achieved"
    stuck = state not in ("done", "not_achieved") and offset < -29
    return Recommendation(
        review_id=reviews[i % len(reviews)],
        number=i // len(reviews) + 1,
        action="Arrange a housing assessment with the local authority",
        measure="The assessment report is shared with the person and their family",
        for_whom="local_authority",
        owner_id=owners[i % len(owners)],
        due_date=due,
        state=state,
        escalated_to_id=panel if stuck else None,
        escalated_at=timezone.now() if stuck else None,
        escalation_reason="Not done 28 days after its due date." if stuck else "",
        closed_at=timezone.now() if state in ("done", "not_achieved") else None,
        created_by_id=creator,
    )


# --- oversight visits and national returns (issue 13) -------------------------------------------

OUT_OF_AREA_EVERY = 4  # one person in hospital in four is placed out of their home area
VISITS_PER_PLACEMENT = 6


@step
def oversight(ctx, volumes):
    """One person in hospital in four is placed in another ICB's area, with six oversight visits
    each (eight weeks apart, the latest up to ten weeks ago, so some are overdue); the bench
    opens one of the big ICB's. The MHSDS page opens the bench provider's busiest month of the
    last two years."""
    from datetime import timedelta

    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from oversight.models import OversightVisit
    from reviews.models import Person, Review

    icbs = ctx["organisations"]["icb"]
    creator = ctx["users"]["commissioner"]
    today = timezone.localdate()
    placed = list(
        Person.objects.exclude(setting="community")
        .order_by("pk")
        .values_list("pk", "responsible_commissioner_id")[::OUT_OF_AREA_EVERY]
    )
    for n, (person_id, org) in enumerate(placed):
        host = icbs[(icbs.index(org) + 1) % len(icbs)] if org in icbs else icbs[n % len(icbs)]
        Person.objects.filter(pk=person_id).update(host_commissioner_id=host)
    visits = [
        OversightVisit(
            person_id=person_id,
            visited_on=today - timedelta(days=n % 70 + k * 56),
            visited_by="Bench case manager",
            found="Settled on the ward.",
            actions="None",
            recorded_by_id=creator,
        )
        for n, (person_id, _org) in enumerate(placed)
        for k in range(VISITS_PER_PLACEMENT)
    ]
    OversightVisit.objects.bulk_create(visits, batch_size=BATCH)
    big = set(ctx["people"]["big_icb"])
    ctx["people"]["out_of_area"] = next(
        (pk for pk, org in placed if pk in big), placed[0][0] if placed else None
    )
    busiest = (
        # The page offers the last 24 months.
        Review.objects.filter(
            provider_id=ctx["organisations"]["provider"][0],
            held_on__gte=today - timedelta(days=700),
        )
        .annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n", "-month")
        .first()
    )
    ctx["returns"] = {
        "mhsds_month": f"{busiest['month']:%Y-%m}" if busiest else f"{today:%Y-%m}",
        "at_month": f"{today.replace(day=1) - timedelta(days=1):%Y-%m}",
    }
    ctx["counts"]["oversight_visits"] = len(visits)


@step
def escalation_decisions(ctx, volumes):
    """The oversight panel's part (issue 21): a decision and an action on every open escalation
    but one in three (those wait for the next meeting)."""
    from datetime import timedelta

    from recommendations.models import EscalationAction, EscalationDecision, Recommendation

    today = timezone_today()
    member = ctx["users"]["oversight_panel"]
    escalated = list(
        Recommendation.objects.filter(
            escalated_to__isnull=False, state__in=("agreed", "in_progress", "awaiting_owner")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    decided = [pk for n, pk in enumerate(escalated) if n % 3]
    EscalationDecision.objects.bulk_create(
        [
            EscalationDecision(
                recommendation_id=pk,
                met_on=today - timedelta(days=7),
                decision="Ask the owner's director to attend the next meeting with a plan.",
                recorded_by_id=member,
            )
            for pk in decided
        ],
        batch_size=BATCH,
    )
    EscalationAction.objects.bulk_create(
        [
            EscalationAction(
                recommendation_id=pk,
                action="Write to the owner's director asking for a plan and a date",
                owner_name="Bench Panel Chair",
                owner_organisation="ICS C(E)TR oversight panel",
                owner_email="panel.chair@example.nhs.uk",
                due_date=today + timedelta(days=(n % 28) - 7),
                recorded_by_id=member,
            )
            for n, pk in enumerate(decided)
        ],
        batch_size=BATCH,
    )
    ctx["counts"]["open_escalations"] = len(escalated)


@step
def without_account(ctx, volumes):
    """Issue 21: the held review's report is issued, and the person takes part without an
    account, on paper: the link their letter carries opens the report and the action plan as it
    stands (15 recommendations, each with its steps)."""
    from ctr_portal.links import Purpose, link_issue
    from reports.models import ReportVersion
    from reviews.models import Participant

    held = ctx["reviews"]["big_icb_held"]
    body = "<h2>Findings</h2>" + "<p>What the panel found, in a paragraph.</p>" * 40
    ReportVersion.objects.create(
        review_id=held,
        number=1,
        html=body,
        easy_read_html=body,
        issued_by_id=ctx["users"]["commissioner"],
    )
    person = Participant.objects.create(
        review_id=held,
        role="person",
        name="Bench Person",
        invited_through="paper",
        added_by_id=ctx["users"]["commissioner"],
    )
    _link, token = link_issue(purpose=Purpose.READ_REPORT, obj=person)
    ctx["links"] = {"read_report": token}
