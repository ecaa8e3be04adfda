"""Make the private key a new deployment signs in to NHS CIS2 and NHS login with (ADR 0023).

    manage.py sign_in_key --out /run/secrets/sign-in-key.pem

writes a 4096-bit RSA key (readable by its owner only) and prints its key id and public JWK, to
register with the providers. Point SIGN_IN_PRIVATE_KEY_PATH at the file. Never commit it."""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from joserfc.jwk import RSAKey

from ctr_portal import oidc


class Command(BaseCommand):
    help = "Make a private key for signing in with NHS CIS2 and NHS login."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The file to write the key to (new).")

    def handle(self, *args, out, **options):
        pem = oidc.make_key_pem()
        try:
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{out} exists: a key is never overwritten.") from None
        with os.fdopen(descriptor, "w") as file:
            file.write(pem)
        key = RSAKey.import_key(pem)
        public = key.as_dict(private=False)
        public.update(kid=oidc.key_id(key), use="sig", alg=oidc.SIGNING_ALG)
        self.stdout.write(f"Wrote {out}. Key id: {public['kid']}")
        self.stdout.write("Public key (JWK), for the providers:")
        self.stdout.write(json.dumps(public, indent=2))
