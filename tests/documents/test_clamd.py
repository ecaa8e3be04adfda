"""Virus scanning through a real clamd: EICAR is refused, a clean file is kept."""

import pytest

from documents import services
from documents.models import Document, ScanStatus

from .conftest import eicar
from .factories import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def test_eicar_is_refused_and_a_clean_file_is_kept(clamd_socket, settings, items, users):
    settings.CLAMD_SOCKET = clamd_socket
    result = services.documents_upload(
        actor=users["provider"],
        item=items["care-plan"],
        files=[upload("eicar.pdf", eicar()), upload("clean.pdf", pdf_bytes(text=None))],
    )
    assert result.refused == [("eicar.pdf", "eicar.pdf contains a virus. It has not been uploaded")]
    assert [d.original_name for d in result.accepted] == ["clean.pdf"]
    assert result.accepted[0].scan_status == ScanStatus.CLEAN
    assert Document.objects.count() == 1


def test_a_configured_scanner_that_does_not_answer_refuses_the_file(
    settings, items, users, tmp_path
):
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    result = services.documents_upload(
        actor=users["provider"], item=items["care-plan"], files=[upload("a.pdf", pdf_bytes(None))]
    )
    assert result.refused == [("a.pdf", "a.pdf could not be checked for viruses. Try again later")]
    assert not result.accepted
