"""Fixtures for the document pack tests: the pack of `review_world`'s review, and a real clamd.

clamd runs on a UNIX socket in a temporary folder, with a signature database made here that
holds only the EICAR test signature (freshclam cannot reach its servers, and needs not). The
EICAR string is put together at run time, so no file of the repository holds it.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.celery_worker import stop

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def eicar() -> bytes:
    """The EICAR anti-virus test file, assembled from pieces."""
    parts = ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"]
    return "".join(parts).encode()


@pytest.fixture(scope="session")
def clamd_socket():
    """A running clamd; skipped when clamd is not installed, except under CI, where it fails."""
    if not Path(CLAMD).exists():
        if os.environ.get("CI"):
            pytest.fail(f"clamd not found at {CLAMD}: CI must install clamav-daemon")
        pytest.skip(f"clamd not found at {CLAMD}: apt-get install clamav-daemon")
    folder = Path(tempfile.mkdtemp(prefix="ctr-clamd-"))
    database = folder / "db"
    database.mkdir()
    data = eicar()
    (database / "eicar.hdb").write_text(
        f"{hashlib.md5(data).hexdigest()}:{len(data)}:Eicar-Test-Signature\n"  # noqa: S324
    )
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {folder}",
                f"LogFile {folder / 'clamd.log'}",
                "Foreground yes",
                "Bytecode no",
                "StreamMaxLength 64M",
                "",
            ]
        )
    )
    process = subprocess.Popen(  # noqa: S603
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("clamd stopped: " + (folder / "clamd.log").read_text()[-2000:])
            if sock.exists():
                try:
                    with socket.socket(socket.AF_UNIX) as probe:
                        probe.connect(str(sock))
                        probe.sendall(b"zPING\0")
                        if probe.recv(16).startswith(b"PONG"):
                            break
                except OSError:
                    pass
            time.sleep(0.2)
        else:
            pytest.fail("clamd did not start within 60 seconds")
        yield str(sock)
    finally:
        stop(process, timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pack(review_world):
    from documents.services import pack_for_review

    return pack_for_review(review=review_world["review"])


@pytest.fixture
def items(pack):
    """The pack's items by checklist code."""
    return {item.source.code: item for item in pack.items.select_related("source")}


@pytest.fixture
def office():
    """Real office files made by LibreOffice (tests/documents/office.py), by file name."""
    from .office import office_files_or_skip

    return office_files_or_skip()
