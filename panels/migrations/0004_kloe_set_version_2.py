"""The KLOE question sets, version 2 (issue 10): the long-term segregation prompt appears in
every hospital workbook, secure and non-secure, not only secure ones, and asks whether an
Independent C(E)TR has been held. Everything else is copied from version 1 unchanged.

Version 1 is left alone, so panels formed from it keep their prompts; new panels take version 2.
The reverse removes version 2 (refused by the database while any panel still points at it).
"""

import datetime

from django.db import migrations

VERSION = 2
PUBLISHED_ON = datetime.date(2026, 12, 1)
DESCRIPTION = (
    "Version 1 with the long-term segregation prompt in every hospital workbook, and the "
    "Independent C(E)TR asked about."
)
SEGREGATION = "long-term segregation"
SEGREGATION_TEXT = (
    "Is {who} in long-term segregation? If so, is it reviewed as the Mental Health Act Code of "
    "Practice requires, has an Independent C(E)TR been held, and is there a plan to end it?"
)


def _prompt(prompt, audience):
    if SEGREGATION not in prompt.text:
        return prompt.scope, prompt.text
    who = "the person" if audience == "adult" else "the child or young person"
    return "hospital", SEGREGATION_TEXT.format(who=who)


def add_version_2(apps, schema_editor):
    KloeSet = apps.get_model("panels", "KloeSet")
    Kloe = apps.get_model("panels", "Kloe")
    KloePrompt = apps.get_model("panels", "KloePrompt")
    old = KloeSet.objects.get(version=1)
    new = KloeSet.objects.create(
        version=VERSION, published_on=PUBLISHED_ON, description=DESCRIPTION
    )
    for kloe in Kloe.objects.filter(kloe_set=old).order_by("audience", "number"):
        copy = Kloe.objects.create(
            kloe_set=new, audience=kloe.audience, number=kloe.number, title=kloe.title
        )
        prompts = []
        for prompt in KloePrompt.objects.filter(kloe=kloe).order_by("position"):
            scope, text = _prompt(prompt, kloe.audience)
            prompts.append(
                KloePrompt(
                    kloe=copy,
                    scope=scope,
                    position=prompt.position,
                    text=text,
                    where_to_look=prompt.where_to_look,
                )
            )
        KloePrompt.objects.bulk_create(prompts)


def remove_version_2(apps, schema_editor):
    KloeSet = apps.get_model("panels", "KloeSet")
    Kloe = apps.get_model("panels", "Kloe")
    KloePrompt = apps.get_model("panels", "KloePrompt")
    kloe_set = KloeSet.objects.filter(version=VERSION).first()
    if kloe_set is None:
        return
    KloePrompt.objects.filter(kloe__kloe_set=kloe_set).delete()
    Kloe.objects.filter(kloe_set=kloe_set).delete()
    kloe_set.delete()


class Migration(migrations.Migration):
    dependencies = [("panels", "0003_limit_text_lengths")]

    operations = [migrations.RunPython(add_version_2, remove_version_2)]
