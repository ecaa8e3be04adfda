from django.core.management.base import BaseCommand

from ctr_portal.demo import run_seeders


class Command(BaseCommand):
    help = "Load the demo organisations, accounts, people and reviews. Safe to run again."

    def handle(self, *args, **options):
        run_seeders(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
