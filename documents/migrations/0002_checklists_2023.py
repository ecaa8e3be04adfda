"""The document checklists of the 2023 policy (domain.md §7), version 1.

Reference data, versioned: a policy change adds a new version in a new migration and leaves this
one alone, so packs made from it keep their items. The reverse removes version 1 (refused by the
database while any pack still points at its items).
"""

from datetime import date

from django.db import migrations

SOURCE = (
    "NHS England, Dynamic Support Register and Care (Education) and Treatment Review policy "
    "and code of practice (2023), and the 2017 CTR policy and guidance"
)

PLANNER = (
    "planner",
    "My C(E)TR planner, with the consent or best-interests evidence",
    "The panel reads nothing else in the pack until this shows consent or a best-interests "
    "decision.",
    "commissioner",
    True,
    True,
    "all",
)
PREVIOUS = (
    "previous-report",
    "The previous review's report and action plan",
    "If there was a previous review. Mark it not held if this is the first.",
    "commissioner",
    True,
    False,
    "all",
)

# code, title, hint, responsible, core, is_planner, ages
TEMPLATES = {
    "hospital": (
        "Hospital review (CTR or C(E)TR)",
        "hospital",
        [
            PLANNER,
            PREVIOUS,
            (
                "physical-health",
                "Physical health section of the key lines of enquiry template",
                "Completed by the provider.",
                "provider",
                True,
                False,
                "all",
            ),
            (
                "medication",
                "Medication section of the key lines of enquiry template",
                "Completed by the provider.",
                "provider",
                True,
                False,
                "all",
            ),
            ("risk-assessments", "Risk assessments", "", "provider", False, False, "all"),
            ("mha-papers", "Mental Health Act papers", "", "provider", False, False, "all"),
            (
                "tribunal-report",
                "The latest Mental Health Act tribunal report",
                "Mark it not held if there has been no tribunal yet.",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "social-circumstances",
                "Social circumstances report",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "service-specification",
                "Community service specification",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "progress-notes",
                "Progress notes from the last four weeks",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "safeguarding",
                "Safeguarding reports from the last year",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "restraint-incidents",
                "Incident forms where restraint was used",
                "Since admission or since the last review.",
                "provider",
                False,
                False,
                "all",
            ),
            ("health-action-plan", "Health action plan", "", "provider", False, False, "all"),
            ("care-plan", "Person-centred care plan", "", "provider", False, False, "all"),
            (
                "pbs-plan",
                "Positive behaviour support plan and other care plans",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "communication-passport",
                "Communication passport",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            ("hospital-passport", "Hospital passport", "", "provider", False, False, "all"),
            ("medication-chart", "Medication chart", "", "provider", False, False, "all"),
            (
                "capacity-assessments",
                "Mental capacity assessments",
                "",
                "provider",
                False,
                False,
                "all",
            ),
            (
                "moj-documents",
                "Ministry of Justice documents",
                "Where the person is on a restricted section.",
                "provider",
                False,
                False,
                "all",
            ),
            ("activity-planner", "Activity planner", "", "provider", False, False, "all"),
            ("discharge-plan", "Discharge plan", "", "provider", False, False, "all"),
            (
                "mdt-minutes",
                "The latest multidisciplinary team (MDT) meeting minutes",
                "",
                "provider",
                False,
                False,
                "all",
            ),
        ],
    ),
    "community": (
        "Community review (CTR or C(E)TR)",
        "community",
        [
            PLANNER,
            PREVIOUS,
            (
                "crisis-plan",
                "Crisis and contingency plan",
                "If there is one. Mark it not held if there is none.",
                "commissioner",
                True,
                False,
                "all",
            ),
            (
                "risk-assessments",
                "The latest risk assessments",
                "",
                "commissioner",
                False,
                False,
                "all",
            ),
            ("care-plans", "Recent care plans", "", "commissioner", False, False, "all"),
            (
                "ehc-plan",
                "Education, health and care (EHC) plan and its last annual review",
                "For a young adult up to 25 who has one.",
                "commissioner",
                False,
                False,
                "adult",
            ),
            (
                "clinical-assessments",
                "Clinical assessments",
                "For example psychology, speech and language therapy, occupational therapy.",
                "commissioner",
                False,
                False,
                "all",
            ),
        ],
    ),
    "cetr-local-authority": (
        "C(E)TR: the local authority's documents",
        "child_local_authority",
        [
            (
                "child-in-need-plan",
                "Child in need plan",
                "",
                "local_authority",
                False,
                False,
                "child",
            ),
            (
                "looked-after-plan",
                "Child in care (looked-after child) plan",
                "",
                "local_authority",
                False,
                False,
                "child",
            ),
            (
                "ehc-plan",
                "Education, health and care (EHC) plan and its latest annual review",
                "",
                "local_authority",
                False,
                False,
                "child",
            ),
            (
                "youth-justice",
                "Youth justice assessment or plan",
                "",
                "local_authority",
                False,
                False,
                "child",
            ),
            (
                "other-assessments",
                "Other education or social care assessments and plans",
                "",
                "local_authority",
                False,
                False,
                "child",
            ),
        ],
    ),
}


def add_checklists(apps, schema_editor):
    Template = apps.get_model("documents", "ChecklistTemplate")
    Item = apps.get_model("documents", "ChecklistItem")
    for code, (name, applies_to, items) in TEMPLATES.items():
        template = Template.objects.create(
            code=code,
            version=1,
            name=name,
            applies_to=applies_to,
            source=SOURCE,
            published_on=date(2023, 5, 1),
        )
        Item.objects.bulk_create(
            Item(
                template=template,
                position=position,
                code=item_code,
                title=title,
                hint=hint,
                responsible=responsible,
                core=core,
                is_planner=is_planner,
                ages=ages,
            )
            for position, (
                item_code,
                title,
                hint,
                responsible,
                core,
                is_planner,
                ages,
            ) in enumerate(items, start=1)
        )


def remove_checklists(apps, schema_editor):
    Template = apps.get_model("documents", "ChecklistTemplate")
    Item = apps.get_model("documents", "ChecklistItem")
    templates = Template.objects.filter(code__in=TEMPLATES, version=1)
    Item.objects.filter(template__in=templates).delete()
    templates.delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_packs_and_uploads")]

    operations = [migrations.RunPython(add_checklists, remove_checklists)]
