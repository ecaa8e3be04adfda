"""`manage.py return_extract at --organisation QNS --month 2026-11`: a national return's CSV on
standard output (or --output), and its validation report on standard error.

The command runs as the operator of the service, for any organisation of the right kind; the
pages give each user their own organisations only.
"""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ctr_portal.models import Organisation
from ctr_portal.queries import organisation_by_code_or_id
from oversight import returns

KINDS = {"at": Organisation.COMMISSIONING_KINDS, "mhsds": (Organisation.Kind.PROVIDER,)}


class Command(BaseCommand):
    help = "Write a national return's extract (at or mhsds) for an organisation and a month."

    def add_arguments(self, parser):
        parser.add_argument("code", choices=sorted(returns.FILES))
        parser.add_argument(
            "--organisation", required=True, help="The organisation's ODS code, or its id."
        )
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--output", help="Write the CSV to this file, not standard output.")

    def handle(self, *args, code, organisation, month, output=None, **options):
        org = self._organisation(organisation, code)
        extract = returns.extract_for(code, organisation=org, month=_month(month))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(extract.csv_text())
        else:
            self.stdout.write(extract.csv_text(), ending="")
        self.stderr.write("\n".join(extract.report_lines()))
        return None

    @staticmethod
    def _organisation(value: str, code: str) -> Organisation:
        found = organisation_by_code_or_id(value)
        if found is None:
            raise CommandError(f"No organisation has the ODS code or id {value!r}.")
        if found.kind not in KINDS[code]:
            kind = found.get_kind_display().lower()
            raise CommandError(f"{found.name} cannot take the {code} return (it is a {kind}).")
        return found


def _month(value: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}", value) or not 1 <= int(value[5:]) <= 12:
        raise CommandError(f"Give the month as YYYY-MM, for example 2026-11, not {value!r}.")
    return date(int(value[:4]), int(value[5:]), 1)
