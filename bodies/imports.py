"""Imports through the administration (django-import-export), made safe for the registry.

The library keeps the uploaded file in the temporary folder between the preview and the
confirmation, and trusts the confirmation form to name it: the hidden field showed the
server's path, could name any other file there (parsed, then deleted), and a second
confirmation found nothing (a 500). Here the file sits in a folder of its own under a random
name the server chooses, and the confirmation carries that name signed — with the user, the
model, the format and the resource it was previewed for, and an expiry — and claims it once.

Spreadsheet cells computed by a formula are kept as `Formula`, never read as their cached
value: a formula saved without one (as some exports do) read as empty, which replaced
measured values with « missing ».
"""

from __future__ import annotations

import os
import time
import uuid
from io import BytesIO
from pathlib import Path

import tablib
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage

SIGNING_SALT = "bodies.imports.confirmation"
PREVIEW_MAX_AGE = 3600  # seconds between the preview and the confirmation


class Formula(str):
    """A spreadsheet cell computed by a formula: its text (`=B2*3`), never a value."""


class XLSX(base_formats.XLSX):
    """The library's XLSX format, reading formulas as `Formula` rather than their cached
    values (or None when the file has none)."""

    def create_dataset(self, in_stream):
        import openpyxl

        workbook = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
        rows = workbook.active.rows
        dataset = tablib.Dataset()
        dataset.headers = [cell.value for cell in next(rows)]
        for row in rows:
            dataset.append(
                [Formula(cell.value) if cell.data_type == "f" else cell.value for cell in row]
            )
        return dataset


IMPORT_FORMATS = [base_formats.CSV, XLSX]


def pending_folder() -> Path:
    return Path(settings.IMPORT_PENDING_DIR)


class PendingImport(BaseStorage):
    """An uploaded file between its preview and its confirmation, in `IMPORT_PENDING_DIR`
    under a random name. Files older than the preview's lifetime are removed as new ones
    arrive (a preview nobody confirmed)."""

    def _path(self) -> Path:
        return pending_folder() / self.name

    def save(self, data):
        folder = pending_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._remove_expired(folder)
        self.name = uuid.uuid4().hex
        with open(self._path(), "wb") as handle:
            handle.write(data)

    def read(self):
        with open(self._path(), self.read_mode, encoding=self.encoding) as handle:
            return handle.read()

    def remove(self):
        self._path().unlink(missing_ok=True)

    def claim(self):
        """Reads the file and removes it, once: a second confirmation, even at the same
        moment, raises FileNotFoundError (the rename is atomic)."""
        claimed = pending_folder() / f"{self.name}.{uuid.uuid4().hex}.claimed"
        os.rename(self._path(), claimed)
        try:
            with open(claimed, self.read_mode, encoding=self.encoding) as handle:
                return handle.read()
        finally:
            claimed.unlink(missing_ok=True)

    @staticmethod
    def _remove_expired(folder: Path):
        too_old = time.time() - PREVIEW_MAX_AGE
        for path in folder.iterdir():
            try:
                if path.stat().st_mtime < too_old:
                    path.unlink()
            except FileNotFoundError:
                pass  # claimed or removed meanwhile


def sign_confirmation(request, model_label: str, import_form) -> str:
    """The confirmation form's one field: what was previewed, signed."""
    upload = import_form.cleaned_data["import_file"]
    return signing.dumps(
        {
            "file": upload.tmp_storage_name,
            "name": upload.name,
            "format": import_form.cleaned_data["format"],
            "resource": import_form.cleaned_data.get("resource") or "0",
            "user": request.user.pk,
            "model": model_label,
        },
        salt=SIGNING_SALT,
    )


class SignedConfirmImportForm(forms.Form):
    """The confirmation of an import: only the signed reference to what was previewed;
    `cleaned_data` holds the fields the library reads (`import_file_name`, `format`,
    `resource`, `original_file_name`), taken from it, never from the posted form."""

    import_file_name = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, model_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.model_label = user, model_label

    def clean(self):
        token = self.cleaned_data.get("import_file_name", "")
        try:
            payload = signing.loads(token, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("L’aperçu a expiré : envoyez le fichier de nouveau."), code="expired"
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _("Confirmation invalide : envoyez le fichier de nouveau."), code="invalid"
            ) from None
        if payload.get("user") != getattr(self.user, "pk", None) or (
            payload.get("model") != self.model_label
        ):
            raise forms.ValidationError(
                _("Confirmation invalide : envoyez le fichier de nouveau."), code="invalid"
            )
        return {
            "import_file_name": payload["file"],
            "original_file_name": payload["name"],
            "format": payload["format"],
            "resource": payload["resource"],
        }
