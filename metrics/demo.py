"""Demo data for the service measures: the demo ICB names the demo oversight panel (ADR 0011),
so the panel member's persona sees its measures. Demo code may use the models directly."""


def seed_metrics(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.demo import ORGANISATIONS
    from ctr_portal.models import Organisation

    names = {key: name for key, (name, _, _) in ORGANISATIONS.items()}
    panel = Organisation.objects.filter(name=names["oversight_panel"]).first()
    if panel is None:
        return
    Organisation.objects.filter(name=names["icb"], oversight_panel__isnull=True).update(
        oversight_panel=panel
    )
