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
        "QNEPC",
    ),
    "provider": ("Riverside Hospital NHS Foundation Trust", "provider", "RRH"),
    "provider_community": ("Harbour Community Support Services", "provider", "NHC"),
    "local_authority": ("North Shore Council", "local_authority", "E06000901"),
    "oversight_panel": (
        "North Shore ICS C(E)TR assurance and oversight panel",
        "oversight_panel",
        "QNS01",
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


def demo_subject(persona: Persona) -> str:
    """The subject the local CIS2 or NHS login of `make run` gives this persona (ADR 0023)."""
    return f"demo-{persona.key}"


def demo_provider(persona: Persona) -> str:
    """Which local provider a persona signs in with: staff of an organisation with CIS2, the
    person and family with NHS login, panel experts and administrators with a password only."""
    if persona.kind == "public":
        return "nhs_login"
    return "cis2" if persona.organisation and not persona.staff else ""


# The commissioners' routes for help, shown beside a worry in the portal, and the case
# management team's number the person and family see on every portal page. Telephone numbers
# from Ofcom's range kept for drama (01632 960000 to 960999): they reach nobody.
HELP_ROUTES = {
    "icb": {
        "contact_phone": "01632 960 100",
        "safeguarding_contact": "North Shore Safeguarding Adults and Children Hub",
        "safeguarding_phone": "01632 960 101",
        "complaints_contact": "NHS North Shore ICB complaints team (PALS)",
        "complaints_phone": "01632 960 102",
        "complaints_email": "complaints@northshore.demo.example",
        "advocacy_contact": "North Shore Advocacy (IMHA and community advocacy)",
        "advocacy_phone": "01632 960 103",
    },
    "icb_other": {
        "contact_phone": "01632 960 200",
        "safeguarding_contact": "South Vale Safeguarding Team",
        "safeguarding_phone": "01632 960 201",
        "complaints_contact": "NHS South Vale ICB Patient Advice and Liaison Service (PALS)",
        "complaints_phone": "01632 960 202",
        "complaints_email": "pals@southvale.demo.example",
        "advocacy_contact": "Vale Voices Advocacy",
        "advocacy_phone": "01632 960 203",
    },
    "specialised": {
        "contact_phone": "01632 960 300",
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
    from .models import Membership, Organisation, SignInIdentity, User

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
        if demo_provider(p):
            SignInIdentity.objects.update_or_create(
                provider=demo_provider(p), subject=demo_subject(p), defaults={"user": user}
            )
    if stdout:
        stdout.write(f"Demo accounts: {len(PERSONAS)} (password: {DEMO_PASSWORD})")


def local_provider_users(profile: str) -> dict:
    """What the local CIS2 or NHS login of `make run` says about each demo persona it signs in
    (tests/oidc/provider.mjs): the same claims as the real services, made up."""
    users = {}
    for n, p in enumerate(PERSONAS, start=1):
        if demo_provider(p) != profile:
            continue
        given, _, family = p.name.rpartition(" ")
        claims = {
            "_label": f"{p.role} ({p.name})",
            "sub": demo_subject(p),
            "given_name": given,
            "family_name": family,
            "email": p.email,
        }
        if profile == "cis2":
            ods = ORGANISATIONS[p.organisation][2]
            role_id = f"5550{n:08d}"
            claims.update(
                name=p.name,
                id_assurance_level="3",
                authentication_assurance_level="3",
                nhsid_nrbac_roles=[
                    {
                        "person_roleid": role_id,
                        "org_code": ods,
                        "role_name": '"Clinical":"Clinical Provision":"Clinical Practitioner '
                        'Access Role"',
                        "role_code": "S8000:G8000:R8000",
                    }
                ],
                nhsid_user_orgs=[{"org_code": ods, "org_name": ORGANISATIONS[p.organisation][0]}],
                selected_roleid=role_id,
            )
        else:
            level = "P9" if p.key == "person" else "P5"
            claims.update(identity_proofing_level=level, vot=f"{level}.Cp.Cd")
        users[p.key] = claims
    return users
