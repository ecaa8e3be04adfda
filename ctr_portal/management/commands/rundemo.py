"""Run the whole application on a laptop: web server, Celery worker and Celery beat, and in
demo mode a local CIS2 and NHS login (npm oidc-provider, tests/oidc/provider.mjs) with the demo
personas as their users (ADR 0023).

Each child runs in its own process group, so Ctrl-C reaches only this command, which then stops
every child and everything they started (the autoreloader's child, pool processes), and waits
for them. Nothing is left running.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from ctr_portal.demo import DEMO_PASSWORD, PERSONAS, local_provider_users

# Where the local providers listen in demo mode; CIS2's issuer carries a path, as the real one.
LOCAL_PROVIDERS = {
    "cis2": (9101, "/openam/oauth2/realms/root/realms/oidc"),
    "nhs_login": (9102, ""),
}
DEMO_CLIENT_ID = "ctr-portal-demo"


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
        env = dict(os.environ)
        local = self._local_providers(addrport) if settings.DEMO_MODE else {}
        for name, (command, provider_env) in local.items():
            commands[name] = command
            env.update(provider_env)

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(  # noqa: S603 (our own fixed commands)
                    command, cwd=settings.BASE_DIR, start_new_session=True, env=env
                )
            self._banner(addrport, local)
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"The {name} process stopped (exit {child.returncode}).")
                        stopping = True
                time.sleep(0.5)
        finally:
            self._stop_all(children)

    def _local_providers(self, addrport):
        """The commands and settings of a local CIS2 and NHS login, when node and the npm
        packages are there (`make setup`); none otherwise, and the demo signs in as before."""
        node = shutil.which("node")
        script = settings.BASE_DIR / "tests" / "oidc" / "provider.mjs"
        if not node or not (settings.BASE_DIR / "node_modules" / "oidc-provider").exists():
            self.stderr.write("No local CIS2 or NHS login: run make setup (needs node and npm).")
            return {}
        host, _, port = addrport.rpartition(":")
        app = f"http://{host or '127.0.0.1'}:{port}"
        key = settings.VAR_DIR / "demo-sign-in-key.pem"
        if not key.exists():
            from ctr_portal import oidc

            key.parent.mkdir(parents=True, exist_ok=True)
            key.write_text(oidc.make_key_pem())
            key.chmod(0o600)
        users = {name: local_provider_users(name) for name in LOCAL_PROVIDERS}
        found = {}
        for name, (provider_port, path) in LOCAL_PROVIDERS.items():
            client = {
                "client_id": DEMO_CLIENT_ID,
                "redirect_uris": [f"{app}/account/sign-in/{name}/callback/"],
                "jwks_uri": f"{app}/account/sign-in/jwks.json",
            }
            if name == "cis2":
                client["backchannel_logout_uri"] = f"{app}/account/sign-in/cis2/backchannel-logout/"
            config = settings.VAR_DIR / f"demo-{name}-provider.json"
            config.write_text(
                json.dumps({"port": provider_port, "clients": [client], "users": users})
            )
            prefix = name.upper()
            found[name] = (
                [node, str(script), name, str(config)],
                {
                    f"{prefix}_ISSUER": f"http://127.0.0.1:{provider_port}{path}",
                    f"{prefix}_CLIENT_ID": DEMO_CLIENT_ID,
                    "SIGN_IN_PRIVATE_KEY_PATH": str(key),
                },
            )
        return found

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

    def _banner(self, addrport, local=None):
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
            *(
                [
                    "Or use Sign in with NHS CIS2 (staff) or Continue to NHS login (the person",
                    "and family): a local stand-in for each lists the demo personas.",
                    "",
                ]
                if local
                else []
            ),
            "Emails are printed here by the worker. Press Ctrl-C to stop everything.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _signal_group(child, sig):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)
