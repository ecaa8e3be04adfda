"""Demo data for `make run`: organisations and one account for each role.

Each app may have a `demo.py` whose seeder its AppConfig.ready() connects to the `demo_seed`
signal; `manage.py seed_demo` sends it, so they run in INSTALLED_APPS order. Every seeder is
idempotent: running it twice changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction

from .signals import demo_seed

DEMO_PASSWORD = "ctr-portal-demo"


def run_seeders(stdout=None):
    with transaction.atomic():
        demo_seed.send(sender=None, stdout=stdout)


@dataclass(frozen=True)
class Persona:
    key: str
    role: str
    email: str
    name: str
    organisation: str | None = None
    job_title: str = ""
    kind: str = "professional"
    staff: bool = False


ORGANISATIONS = {
    "icb": ("NHS North Shore Integrated Care Board", "icb", "QNS"),
    "icb_other": ("NHS South Vale Integrated Care Board", "icb", "QSV"),
    "specialised": (
        "North East Provider Collaborative (specialised commissioning)",
        "specialised",
        "",
    ),
    "provider": ("Riverside Hospital NHS Foundation Trust", "provider", "RRH"),
    "provider_community": ("Harbour Community Support Services", "provider", ""),
    "local_authority": ("North Shore Council", "local_authority", ""),
    "oversight_panel": (
        "North Shore ICS C(E)TR assurance and oversight panel",
        "oversight_panel",
        "",
    ),
}

PERSONAS = [
    Persona(
        "commissioner",
        "Commissioner",
        "commissioner@demo.example",
        "Asha Patel",
        "icb",
        "Learning disability and autism case manager",
    ),
    Persona(
        "commissioner_other",
        "Commissioner (another ICB)",
        "commissioner.southvale@demo.example",
        "Tom Okafor",
        "icb_other",
        "Case manager",
    ),
    Persona(
        "chair",
        "Chair",
        "chair@demo.example",
        "Helen Marsh",
        "icb",
        "Senior case manager (CTR chair)",
    ),
    Persona("clinical_expert", "Clinical expert", "clinical.expert@demo.example", "Dr Nia Roberts"),
    Persona("expert_by_experience", "Expert by experience", "ebe@demo.example", "Jordan Lee"),
    Persona(
        "provider",
        "Provider (ward manager)",
        "provider@demo.example",
        "Sam Whitfield",
        "provider",
        "Ward manager, Willow ward",
    ),
    Persona(
        "local_authority",
        "Local authority (social worker)",
        "local.authority@demo.example",
        "Priya Shah",
        "local_authority",
        "Children's social worker",
    ),
    Persona("family_carer", "Family carer", "family@demo.example", "Meera Patel", kind="public"),
    Persona("person", "The person", "person@demo.example", "Daniel Clarke", kind="public"),
    Persona("administrator", "Administrator", "admin@demo.example", "Chris Adeyemi", staff=True),
    Persona(
        "oversight_panel",
        "ICS oversight panel member",
        "oversight@demo.example",
        "Morgan Ellis",
        "oversight_panel",
        "Member, ICS C(E)TR assurance and oversight panel",
    ),
]


# The commissioners' routes for help, shown beside a worry in the portal. Telephone numbers
# from Ofcom's range kept for drama (01632 960000 to 960999): they reach nobody.
HELP_ROUTES = {
    "icb": {
        "safeguarding_contact": "North Shore Safeguarding Adults and Children Hub",
        "safeguarding_phone": "01632 960 101",
        "complaints_contact": "NHS North Shore ICB complaints team (PALS)",
        "complaints_phone": "01632 960 102",
        "complaints_email": "complaints@northshore.demo.example",
        "advocacy_contact": "North Shore Advocacy (IMHA and community advocacy)",
        "advocacy_phone": "01632 960 103",
    },
    "icb_other": {
        "safeguarding_contact": "South Vale Safeguarding Team",
        "safeguarding_phone": "01632 960 201",
        "complaints_contact": "NHS South Vale ICB Patient Advice and Liaison Service (PALS)",
        "complaints_phone": "01632 960 202",
        "complaints_email": "pals@southvale.demo.example",
        "advocacy_contact": "Vale Voices Advocacy",
        "advocacy_phone": "01632 960 203",
    },
    "specialised": {
        "safeguarding_contact": "North East Provider Collaborative safeguarding lead",
        "safeguarding_phone": "01632 960 301",
        "complaints_contact": "NHS England complaints team",
        "complaints_phone": "01632 960 302",
        "complaints_email": "complaints@collaborative.demo.example",
        "advocacy_contact": "North East Secure Services Advocacy",
        "advocacy_phone": "01632 960 303",
    },
}


def seed_accounts(sender=None, *, stdout=None, **kwargs):
    from .models import Membership, Organisation, User

    orgs = {}
    for key, (name, kind, ods) in ORGANISATIONS.items():
        orgs[key], _ = Organisation.objects.update_or_create(
            name=name, defaults={"kind": kind, "ods_code": ods, **HELP_ROUTES.get(key, {})}
        )
    for p in PERSONAS:
        user = User.objects.filter(email__iexact=p.email).first() or User(email=p.email)
        user.display_name = p.name
        user.kind = p.kind
        user.demo_persona = p.role
        user.is_staff = user.is_superuser = p.staff
        user.set_password(DEMO_PASSWORD)
        user.save()
        if p.organisation:
            Membership.objects.update_or_create(
                user=user, organisation=orgs[p.organisation], defaults={"job_title": p.job_title}
            )
    if stdout:
        stdout.write(f"Demo accounts: {len(PERSONAS)} (password: {DEMO_PASSWORD})")
