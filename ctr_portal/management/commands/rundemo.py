"""Run the whole application on a laptop: web server, Celery worker and Celery beat.

Each child runs in its own process group, so Ctrl-C reaches only this command, which then stops
every child and everything they started (the autoreloader's child, pool processes), and waits
for them. Nothing is left running.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from ctr_portal.demo import DEMO_PASSWORD, PERSONAS


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and beat together; Ctrl-C stops all of them."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addrport],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "ctr_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "ctr_portal",
                "beat",
                "--loglevel=INFO",
                "--pidfile=",
                # Beat's own state (when each entry last ran), beside the database.
                f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
            ],
        }
        children = {}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(  # noqa: S603 (our own fixed commands)
                    command, cwd=settings.BASE_DIR, start_new_session=True
                )
            self._banner(addrport)
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"The {name} process stopped (exit {child.returncode}).")
                        stopping = True
                time.sleep(0.5)
        finally:
            self._stop_all(children)

    def _stop_all(self, children):
        self.stdout.write("\nStopping the web server, worker and beat…")
        for child in children.values():
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        # Pool or reloader processes that outlived their parent share its process group.
        for child in children.values():
            _signal_group(child, signal.SIGKILL)
        self.stdout.write("Stopped.")

    def _banner(self, addrport):
        host, _, port = addrport.rpartition(":")
        url = f"http://{host or '127.0.0.1'}:{port}/"
        width = max(len(p.role) for p in PERSONAS)
        lines = [
            "",
            f"CTR Portal is running at {url}",
            "Sign in with a demo persona on the sign-in page, or with these accounts",
            f"(password for all: {DEMO_PASSWORD}):",
            "",
            *(f"  {p.role.ljust(width)}  {p.email}" for p in PERSONAS),
            "",
            "Emails are printed here by the worker. Press Ctrl-C to stop everything.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _signal_group(child, sig):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)
