"""An office document (DOCX, XLSX, ODT) turned into a PDF by LibreOffice, headless, so that the
panel can read it in the viewer. Called only from the worker (`services.rendition_make`).

Each conversion works on a copy of the original in a fresh temporary folder, with a fresh
LibreOffice profile of its own (`-env:UserInstallation`), under a time limit, and offline:

- in a network namespace of its own (`unshare --net`, where the kernel allows it), where no
  address outside the process is reachable;
- and, whether or not that is allowed, with a profile that blocks links from untrusted
  documents (linked pictures, external data, WEBSERVICE), refuses macros, and sends any request
  that still tries to leave to a proxy on a closed local port.

The stored original is only ever read. See docs/adr/0009-office-document-renditions.md.
"""

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# The Debian packages that provide a headless LibreOffice for Word, OpenDocument and Excel files.
PACKAGES = ("libreoffice-writer-nogui", "libreoffice-calc-nogui")
MISSING_WORDS = (
    "LibreOffice is not installed on this machine (Debian packages: " + ", ".join(PACKAGES) + ")"
)

# The profile every conversion starts from: registrymodifications.xcu of a new user folder.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
{items}
</oor:items>
"""
_SETTINGS = [
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("org.openoffice.Office.Writer/Content/Update", "Link", "2"),  # never update links
    ("org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # never update links
    ("org.openoffice.Inet/Settings", "ooInetProxyType", "1"),  # a proxy that answers nothing
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "9"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "9"),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyName", "127.0.0.1"),
    ("org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "9"),
    ("org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
    ("org.openoffice.Office.Common/Misc", "FirstRun", "false"),
]
PROFILE_XCU = _PROFILE.format(
    items="\n".join(
        f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>"
        for path, name, value in _SETTINGS
    )
)


class ConverterMissing(Exception):
    """LibreOffice is not installed here."""


class ConversionFailed(Exception):
    """The document could not be turned into a PDF; the message says why, for the logs."""


class ConversionTimedOut(ConversionFailed):
    pass


def soffice_path() -> str | None:
    configured = settings.DOCUMENTS_SOFFICE
    if os.sep in configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which(configured)


def available() -> bool:
    return soffice_path() is not None


@functools.cache
def network_namespace_allowed() -> bool:
    """Whether `unshare --net` works here (not in a container whose seccomp profile forbids it).
    Asked once per process."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        result = subprocess.run(  # noqa: S603
            [unshare, "--net", "--map-root-user", "true"], capture_output=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if result.returncode != 0:
        log.warning(
            "LibreOffice runs without a network namespace of its own (unshare refused: %s); "
            "its profile still keeps it offline",
            result.stderr.decode(errors="replace").strip()[:200],
        )
    return result.returncode == 0


def convert_to_pdf(source, *, extension: str, timeout: float | None = None) -> bytes:
    """The PDF made from `source` (a file object, read from its start), whose kind the
    `extension` names (docx, xlsx, odt). Raises ConverterMissing, ConversionTimedOut or
    ConversionFailed."""
    data = convert(source, extension=extension, target="pdf", timeout=timeout)
    _check_pdf(data)
    return data


def convert(
    source, *, extension: str, target: str, infilter: str = "", timeout: float | None = None
) -> bytes:
    """`source` converted by LibreOffice to `target` (its --convert-to argument: "pdf", or
    "docx:MS Word 2007 XML" to name the filter), in the sandbox described above. `infilter`
    names the import filter when the extension is not enough (HTML for Writer, say)."""
    soffice = soffice_path()
    if soffice is None:
        raise ConverterMissing(MISSING_WORDS)
    timeout = settings.DOCUMENTS_CONVERSION_TIMEOUT_SECONDS if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="ctr-convert-") as folder:
        work = Path(folder)
        for name in ("in", "out", "tmp", "profile/user"):
            (work / name).mkdir(parents=True)
        original = work / "in" / f"document.{extension}"
        source.seek(0)
        with open(original, "wb") as copy:
            shutil.copyfileobj(source, copy)
        original.chmod(0o400)  # LibreOffice reads it; nothing writes to it
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nodefault",
            "--nolockcheck",
            "--nologo",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(original),
        ]
        if network_namespace_allowed():
            command = [shutil.which("unshare"), "--net", "--map-root-user", *command]
        output = _run(command, work=work, timeout=timeout)
        made = work / "out" / f"document.{target.split(':')[0]}"
        if not made.exists():
            raise ConversionFailed(_reason(output))
        return made.read_bytes()


def _run(command, *, work: Path, timeout: float) -> str:
    """Run LibreOffice in a session of its own, so that on a timeout the whole process group
    (the launcher and soffice.bin) is killed. Returns what it printed."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": str(work / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    process = subprocess.Popen(  # noqa: S603 (a fixed command; the file name is ours)
        command,
        cwd=work,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise ConversionTimedOut(f"LibreOffice took longer than {timeout:g} seconds") from None
    finally:
        _kill_group(process)  # nothing of it outlives the conversion
    return output.decode(errors="replace")


def _kill_group(process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _reason(output: str) -> str:
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and "javaldx" not in line and not line.startswith("convert ")
    ]
    return (" ".join(lines) or "LibreOffice made no PDF")[:300]


def _check_pdf(data: bytes) -> None:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from .sniff import pdf_limits_problem

    if not data.startswith(b"%PDF-"):
        raise ConversionFailed("LibreOffice's output is not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        problem = pdf_limits_problem(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ConversionFailed(f"LibreOffice's PDF cannot be read: {error}") from None
    if pages == 0:
        raise ConversionFailed("LibreOffice's PDF has no pages")
    if problem:  # the panel's viewer could not show it in bounded time
        raise ConversionFailed(problem.format(name="LibreOffice's PDF"))
