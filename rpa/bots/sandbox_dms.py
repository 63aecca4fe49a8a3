"""The sandbox DMS bot: file a document in the customer's folder with its metadata.

Before uploading, it searches the DMS for the job's idempotency key in the ``reference``
field and reports the document it finds instead of filing a second copy.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from playwright.async_api import FilePayload

from rpa.bots.base import Bot, RecordNotFound
from rpa.errors import BusinessError
from rpa.jobs import FileDocument, JobPayload


class SandboxDmsBot(Bot):
    """Works the document-management screens of the sandbox back office."""

    target_name = "sandbox_dms"

    async def run_job(self, payload: JobPayload, key: str) -> dict[str, Any]:
        """Dispatch a job payload to the screens that carry it out."""
        if isinstance(payload, FileDocument):
            return await self.perform(self.file_document, payload, key)
        raise BusinessError(f"the DMS bot cannot do {type(payload).__name__}")

    async def file_document(self, job: FileDocument, key: str) -> dict[str, Any]:
        """Upload the file into the customer's folder with type, order, notes and reference ``key``."""
        async with self.step("look for the reference"):
            existing = await self._document_by_reference(key)
        if existing is not None:
            return await self._filed(existing, key, existing=True)
        upload = _file_payload(job)
        page = self.page
        async with self.step("fill the upload form"):
            try:
                await self.open(f"/dms/folders/{quote(job.customer_id)}")
            except RecordNotFound as exc:
                raise BusinessError(f"The DMS has no folder for customer {job.customer_id}.") from exc
            await page.get_by_label("File", exact=True).set_input_files(upload)
            await self.select("Document type", job.doc_type)
            await self.fill("Order id", job.order_id or "")
            await self.fill("Reference", key)
            await self.fill("Notes", job.notes)
        async with self.step("upload"):
            await self.submit("Upload")
            return _document_result(await self.testids(), key, existing=False)

    async def _document_by_reference(self, key: str) -> str | None:
        await self.open("/dms/search?" + urlencode({"reference": key}))
        for row in await self.rows("document-row"):
            if len(row.cells) > 5 and row.cells[5] == key:
                return row.data["documentId"]
        return None

    async def _filed(self, document_id: str, key: str, *, existing: bool) -> dict[str, Any]:
        async with self.step("open the existing document"):
            await self.open(f"/dms/documents/{quote(document_id)}")
            return _document_result(await self.testids(), key, existing=existing)


def _file_payload(job: FileDocument) -> FilePayload:
    source = Path(job.file_path)
    if not source.is_file():
        raise BusinessError(f"The file {job.filename} is no longer available to upload.")
    mime = mimetypes.guess_type(job.filename)[0] or "application/octet-stream"
    return {"name": job.filename, "mimeType": mime, "buffer": source.read_bytes()}


def _document_result(shown: dict[str, str], key: str, *, existing: bool) -> dict[str, Any]:
    return {
        "document_id": shown["document-id"],
        "filename": _filename(shown.get("document-filename", "")),
        "doc_type": shown.get("document-type", ""),
        "order_id": shown.get("document-order") or None,
        "reference": key,
        "existing": existing,
    }


def _filename(shown: str) -> str:
    """``photo.jpg (10 bytes, image/jpeg)`` → ``photo.jpg``."""
    return shown.rsplit(" (", 1)[0] if shown.endswith(")") else shown
