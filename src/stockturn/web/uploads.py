"""Receive an uploaded file: size-limited while it streams in, and saved only inside the upload folder.

The multipart body is read through a byte counter that stops at the limit (so a huge upload is refused
without being stored), parsed in memory, and written under a server-chosen name in
`<warehouse folder>/uploads/`; the client's file name is kept only as a sanitised suffix.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from stockturn.errors import InputError
from stockturn.web.errors import UploadTooLarge

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Upload:
    path: Path
    original_name: str
    fields: dict[str, str]


def safe_name(name: str) -> str:
    """The client's file name reduced to a harmless suffix: no folders, no dots in front, ASCII only."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _SAFE.sub("_", base).lstrip("._")[:80]
    return cleaned or "upload"


async def receive_upload(request: Request, upload_dir: Path, max_bytes: int) -> Upload:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise UploadTooLarge(
            f"the upload has {int(length):,} bytes, more than the limit of {max_bytes:,}",
            hint="split the file, or raise the web_upload_max_mb setting",
        )
    received = 0

    async def capped() -> AsyncGenerator[bytes, None]:
        nonlocal received
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes + 64 * 1024:
                raise UploadTooLarge(
                    f"the upload is larger than the limit of {max_bytes:,} bytes",
                    hint="split the file, or raise the web_upload_max_mb setting",
                )
            yield chunk

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InputError("expected a multipart/form-data upload with a `file` field", hint="use the upload form")
    parser = MultiPartParser(request.headers, capped(), max_files=1, max_fields=20)
    parser.spool_max_size = max_bytes + 1  # keep the file in memory: nothing is written outside the data folder
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InputError(f"the upload could not be read: {exc.message}", hint="send the file again") from None
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise InputError("no file was chosen", hint="choose a file to import")
    data = await file.read()
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"{file.filename} has {len(data):,} bytes, more than the limit of {max_bytes:,}",
            hint="split the file, or raise the web_upload_max_mb setting",
        )
    upload_dir.mkdir(parents=True, exist_ok=True)
    target = (
        upload_dir / f"{datetime.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}-{safe_name(file.filename)}"
    ).resolve()
    if target.parent != upload_dir.resolve():
        raise InputError(f"file name {file.filename!r} is not allowed", hint="rename the file")
    target.write_bytes(data)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    return Upload(target, file.filename, fields)
