"""The document checklists, version 2 (issue 10, domain.md §7).

- Hospital: for a CTR in hospital "the responsibility for producing the pack is with the
  provider", so the planner and the previous report and action plan are the provider's to
  provide; and the EHC plan item joins the adult list, for young adults aged 18 to 25 who have
  one.
- Community: the EHC plan item is for young adults aged 18 to 25 (version 1 offered it to every
  adult).

Version 1 is left alone, so packs made from it keep their items; new packs take version 2. The
reverse removes version 2 (refused by the database while any pack still points at its items).
"""

from datetime import date

from django.db import migrations

SOURCE = (
    "NHS England, Dynamic Support Register and Care (Education) and Treatment Review policy "
    "and code of practice (2023), and the 2017 CTR policy and guidance"
)
PROVIDER_OWNS = ("planner", "previous-report")
EHC_PLAN = {
    "code": "ehc-plan",
    "title": "Education, health and care (EHC) plan and its last annual review",
    "hint": "For a young adult aged 18 to 25 who has one. Mark it not applicable if they have "
    "none.",
    "responsible": "provider",
    "core": False,
    "is_planner": False,
    "ages": "young_adult",
}


def _items_v2(code, items):
    rows = []
    for item in items:
        row = {
            "code": item.code,
            "title": item.title,
            "hint": item.hint,
            "responsible": item.responsible,
            "core": item.core,
            "is_planner": item.is_planner,
            "ages": item.ages,
        }
        if code == "hospital" and item.code in PROVIDER_OWNS:
            row["responsible"] = "provider"
        if item.code == "ehc-plan" and code == "community":
            row.update(ages="young_adult", hint=EHC_PLAN["hint"])
        rows.append(row)
    if code == "hospital":
        after = next(i for i, r in enumerate(rows) if r["code"] == "care-plan")
        rows.insert(after + 1, dict(EHC_PLAN))
    return rows


def add_version_2(apps, schema_editor):
    Template = apps.get_model("documents", "ChecklistTemplate")
    Item = apps.get_model("documents", "ChecklistItem")
    for code in ("hospital", "community"):
        old = Template.objects.get(code=code, version=1)
        new = Template.objects.create(
            code=code,
            version=2,
            name=old.name,
            applies_to=old.applies_to,
            source=SOURCE,
            published_on=date(2026, 12, 1),
        )
        rows = _items_v2(code, Item.objects.filter(template=old).order_by("position"))
        Item.objects.bulk_create(
            Item(template=new, position=position, **row)
            for position, row in enumerate(rows, start=1)
        )


def remove_version_2(apps, schema_editor):
    Template = apps.get_model("documents", "ChecklistTemplate")
    Item = apps.get_model("documents", "ChecklistItem")
    templates = Template.objects.filter(code__in=("hospital", "community"), version=2)
    Item.objects.filter(template__in=templates).delete()
    templates.delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_checklist_items_for_young_adults")]

    operations = [migrations.RunPython(add_version_2, remove_version_2)]
