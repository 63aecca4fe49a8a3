"""The DMS bot files documents in customer folders on the real sandbox screens."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from rpa.bots import SandboxDmsBot
from rpa.errors import BusinessError
from rpa.jobs import FileDocument
from tests.rpa.bots.support import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def upload(tmp_path: Path, **overrides: object) -> FileDocument:
    source = tmp_path / "upload.bin"
    source.write_bytes(b"\xff\xd8\xff\xe0 a photo of a dented kettle")
    fields: dict[str, object] = {
        "customer_id": "C-001",
        "order_id": "SO-10049",
        "doc_type": "damage_photo",
        "filename": "kettle.jpg",
        "file_path": str(source),
        "notes": "Dent on the lid.",
    }
    return FileDocument.model_validate(fields | overrides)


class TestFileDocument:
    def test_document_is_filed_once_with_its_metadata(self, sandbox: Sandbox, tmp_path: Path) -> None:
        key = f"test-{uuid.uuid4().hex[:12]}"
        first = sandbox.run(SandboxDmsBot, upload(tmp_path), key)
        second = sandbox.run(SandboxDmsBot, upload(tmp_path), key)
        assert second == {**first, "existing": True}
        assert sandbox.count_by_reference("document", key) == 1
        rows = sandbox.query(
            "SELECT id, customer_id, order_id, doc_type, filename, content_type, notes FROM documents "
            "WHERE reference = ?",
            key,
        )
        assert rows == [
            (
                first["document_id"],
                "C-001",
                "SO-10049",
                "damage_photo",
                "kettle.jpg",
                "image/jpeg",
                "Dent on the lid.",
            )
        ]

    def test_order_of_another_customer_is_refused(self, sandbox: Sandbox, tmp_path: Path) -> None:
        with pytest.raises(BusinessError, match="SO-10031 belongs to another customer"):
            sandbox.run(SandboxDmsBot, upload(tmp_path, order_id="SO-10031"), f"test-{uuid.uuid4().hex}")

    def test_unknown_customer_has_no_folder(self, sandbox: Sandbox, tmp_path: Path) -> None:
        with pytest.raises(BusinessError, match="no folder for customer C-999"):
            sandbox.run(SandboxDmsBot, upload(tmp_path, customer_id="C-999"), f"test-{uuid.uuid4().hex}")
