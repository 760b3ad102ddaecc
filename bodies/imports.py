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

import csv
import hashlib
import io
import os
import stat
import time
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

import tablib
from django import forms
from django.conf import settings
from django.core import signing
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import BaseStorage

SIGNING_SALT = "bodies.imports.confirmation"
PREVIEW_MAX_AGE = 3600  # seconds between the preview and the confirmation


class Formula(str):
    """A spreadsheet cell computed by a formula: its text (`=B2*3`), never a value."""


class UnreadableFile(ValueError):
    """A file that is no table the registry reads: its message says why, in French."""


# No dataset has a tenth of MAX_COLUMNS columns, nor a cell as long as MAX_CELL_CHARS (a
# problem statement runs to a few pages); CELLS_PER_ROW is what a row may cost on average
# (up to its last filled cell) before the file is refused as too long.
MAX_COLUMNS = 200
MAX_CELL_CHARS = 100_000
CELLS_PER_ROW = 40
# A worksheet compresses about twelvefold; a member inflating more than MAX_RATIO times, once
# it is larger than RATIO_FLOOR, is a zip bomb, not a table.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 500


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def build_dataset(rows) -> tablib.Dataset:
    """A dataset from `(line, cells)` pairs, the first non-blank one being the header.

    Blank lines are skipped (spreadsheets end with some); each data row keeps the line it
    was read from (`dataset.line_numbers`), so that errors name the line the user sees in
    the file. At most `IMPORT_MAX_ROWS` rows are read: beyond that the file is refused
    before anything else is done with it."""
    limit = settings.IMPORT_MAX_ROWS
    too_long = UnreadableFile(
        _(
            "Le fichier compte plus de %(limit)s lignes, la limite d’un import : "
            "découpez-le en plusieurs fichiers."
        )
        % {"limit": limit}
    )
    dataset = tablib.Dataset()
    headers, width, offset, lines, read, cells_read = None, 0, 0, [], 0, 0
    for line, cells in rows:
        cells = list(cells)
        while cells and _blank(cells[-1]):
            cells.pop()
        read += 1
        cells_read += len(cells)
        if read > 2 * limit + 1000:  # blank lines are skipped, not read for ever
            raise too_long
        if cells_read > limit * CELLS_PER_ROW + 1000:
            raise UnreadableFile(
                _(
                    "Le fichier compte plus de %(limit)s cellules remplies, la limite d’un "
                    "import : retirez les colonnes inutiles ou découpez-le."
                )
                % {"limit": limit * CELLS_PER_ROW + 1000}
            )
        for cell in cells:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                raise cell_too_long(line)
        if not cells:
            continue
        if headers is None:
            # A table drawn further right (its header at C4) starts at its first named column.
            offset = next(n for n, c in enumerate(cells) if not _blank(c))
            headers = ["" if c is None else str(c).strip() for c in cells[offset:]]
            width = len(headers)
            _check_headers(headers, line)
            dataset.headers = headers
            continue
        if len(lines) >= limit:
            raise too_long
        if any(not _blank(c) for c in cells[:offset]):
            raise UnreadableFile(
                _(
                    "Ligne %(line)s : des cellules à gauche de la première colonne de l’en-tête. "
                    "Nommez ces colonnes ou videz ces cellules."
                )
                % {"line": line}
            )
        cells = cells[offset:]
        if any(not _blank(c) for c in cells[width:]):
            raise UnreadableFile(
                _(
                    "Ligne %(line)s : des cellules au-delà de la dernière colonne de l’en-tête "
                    "(%(width)s colonnes). Nommez ces colonnes ou videz ces cellules."
                )
                % {"line": line, "width": width}
            )
        cells = cells[:width] + [""] * (width - len(cells))
        dataset.append(["" if c is None else c for c in cells])
        lines.append(line)
    if headers is None:
        raise UnreadableFile(_("Le fichier est vide : aucun en-tête, aucune ligne."))
    if not lines:
        raise UnreadableFile(_("Le fichier ne contient que l’en-tête : aucune ligne à importer."))
    dataset.line_numbers = lines
    return dataset


def cell_too_long(line) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Ligne %(line)s : une cellule de plus de %(limit)s caractères ; le registre n’en "
            "lit pas de si longues."
        )
        % {"line": line, "limit": f"{MAX_CELL_CHARS:,}".replace(",", "\u202f")}
    )


def _check_headers(headers, line):
    for position, name in enumerate(headers, 1):
        if not name:
            raise UnreadableFile(
                _("Ligne %(line)s (en-tête) : la colonne n° %(position)s n’a pas de nom.")
                % {"line": line, "position": position}
            )
        if "\x00" in name:
            raise UnreadableFile(
                _("Ligne %(line)s (en-tête) : caractère nul dans un nom de colonne.")
                % {"line": line}
            )
    seen = set()
    for name in headers:
        if name in seen:
            raise UnreadableFile(
                _("Ligne %(line)s (en-tête) : la colonne « %(name)s » figure deux fois.")
                % {"line": line, "name": name}
            )
        seen.add(name)


class CSV(base_formats.CSV):
    """CSV in UTF-8, with or without its byte order mark, separated by commas or by
    semicolons (what a French spreadsheet writes): the header line decides. The bytes are
    decoded here, so that a file in another encoding gets a French answer naming the line,
    not a decoding error."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        if isinstance(in_stream, bytes):
            try:
                text = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise UnreadableFile(
                    _(
                        "Le fichier n’est pas encodé en UTF-8 (ligne %(line)s) : "
                        "enregistrez-le au format « CSV UTF-8 » puis importez-le de nouveau."
                    )
                    % {"line": in_stream[: error.start].count(b"\n") + 1}
                ) from None
        else:
            text = in_stream.removeprefix("\ufeff")
        header = text.split("\n", 1)[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

        def rows():
            start = 1
            try:
                for cells in reader:
                    yield start, cells
                    start = reader.line_num + 1
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise cell_too_long(start) from None
                raise UnreadableFile(
                    _("Ligne %(line)s : CSV illisible (guillemet non refermé ?).") % {"line": start}
                ) from None

        return build_dataset(rows())


def check_zip(content: bytes, not_a_workbook: Exception):
    """Refuses a workbook whose members would inflate beyond `IMPORT_MAX_UNZIPPED_BYTES`, or
    one of them more than `MAX_RATIO` times, before anything decompresses them. The sizes are
    those the zip declares: Python's zipfile, which openpyxl reads through, stops at the
    declared size and then fails on the checksum, so a member cannot lie to grow."""
    try:
        members = zipfile.ZipFile(BytesIO(content)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise not_a_workbook from None
    total = sum(member.file_size for member in members)
    if (
        len(members) > MAX_MEMBERS
        or total > settings.IMPORT_MAX_UNZIPPED_BYTES
        or any(
            member.file_size > RATIO_FLOOR
            and member.file_size > MAX_RATIO * max(member.compress_size, 1)
            for member in members
        )
    ):
        raise UnreadableFile(
            _(
                "Ce classeur se décompresse en %(size)s (%(limit)s au plus), ou bien plus que "
                "ne le fait un tableau : il n’est pas lu. Enregistrez les seules lignes à "
                "importer dans un nouveau classeur, ou au format CSV."
            )
            % {
                "size": filesizeformat(total),
                "limit": filesizeformat(settings.IMPORT_MAX_UNZIPPED_BYTES),
            }
        )


class XLSX(base_formats.XLSX):
    """The library's XLSX format, reading formulas as `Formula` rather than their cached
    values (or None when the file has none), the first sheet only, and saying in French
    when the file is no workbook (a CSV renamed .xlsx, a damaged file)."""

    def create_dataset(self, in_stream):
        import openpyxl

        not_a_workbook = UnreadableFile(
            _(
                "Ce fichier n’est pas un classeur Excel (XLSX) lisible : enregistrez-le au "
                "format « Classeur Excel (.xlsx) », ou choisissez le format CSV s’il en est un."
            )
        )
        if not isinstance(in_stream, bytes) or not in_stream.startswith(b"PK\x03\x04"):
            raise not_a_workbook
        check_zip(in_stream, not_a_workbook)
        try:
            workbook = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
            sheet = workbook.worksheets[0]
            # A sheet formatted to its last column (16,384) is not read cell by cell; its
            # declared dimensions are not trusted (some programs write « A1 » whatever).
            width = MAX_COLUMNS

            def rows():
                # openpyxl yields every row from the first, blank ones above the table
                # included: a row's position is its line.
                for line, row in enumerate(sheet.iter_rows(min_row=1, max_col=width), 1):
                    yield (
                        line,
                        [
                            Formula(cell.value) if cell.data_type == "f" else cell.value
                            for cell in row
                        ],
                    )

            return build_dataset(rows())
        except UnreadableFile:
            raise
        except Exception:  # zipfile, XML and openpyxl errors: a damaged or foreign file
            raise not_a_workbook from None


class ExcelCSV(base_formats.CSV):
    """CSV for a French spreadsheet: semicolons (a French Excel reads commas as decimal
    marks, the whole line landing in one column) and a byte order mark (without it Excel
    reads UTF-8 as Windows-1252: « CrÃ©teil »). The import reads it back as it is."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + dataset.export("csv", delimiter=";", **kwargs)


EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX, ExcelCSV]
FORMAT_LABELS = {
    base_formats.CSV: _("CSV (virgules, UTF-8)"),
    base_formats.XLSX: _("Classeur Excel (XLSX)"),
    ExcelCSV: _("CSV pour Excel (points-virgules)"),
}

IMPORT_FORMATS = [CSV, XLSX]
IMPORT_EXTENSIONS = {".csv": 0, ".xlsx": 1}  # extension → position in IMPORT_FORMATS


def pending_folder() -> Path:
    return Path(settings.IMPORT_PENDING_DIR)


class UnsafePendingFolder(RuntimeError):
    """`IMPORT_PENDING_DIR` is not a folder of this process's user that nobody else reads."""


def safe_pending_folder() -> Path:
    """The pending folder, created 0700 if missing; an existing one must be a real folder
    (not a link) of this process's user, closed to others: uploaded files hold names and
    e-mail addresses, and a folder another user controls could swap them."""
    folder = pending_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.geteuid()
        or stat.S_IMODE(info.st_mode) & 0o077
    ):
        raise UnsafePendingFolder(
            f"IMPORT_PENDING_DIR {folder} must be a folder owned by uid {os.geteuid()} "
            f"with mode 0700 (found uid {info.st_uid}, mode {stat.S_IMODE(info.st_mode):o})"
        )
    return folder


class PendingImport(BaseStorage):
    """An uploaded file between its preview and its confirmation, in `IMPORT_PENDING_DIR`
    (0700, ours) under a random name, readable by this user only (0600), with the SHA-256 of
    its content (`sha256`) for the signed confirmation. A refused preview's file is removed at
    once (`ImportExportAdmin.import_action`); files older than the preview's lifetime are
    removed as new ones arrive (a preview nobody confirmed)."""

    sha256 = ""

    def _path(self) -> Path:
        return pending_folder() / self.name

    def save(self, data):
        folder = safe_pending_folder()
        self._remove_expired(folder)
        self.name = uuid.uuid4().hex
        self.sha256 = hashlib.sha256(data).hexdigest()
        descriptor = os.open(self._path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
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
            "sha256": getattr(upload, "tmp_storage_sha256", ""),
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
            "sha256": payload.get("sha256", ""),
            "original_file_name": payload["name"],
            "format": payload["format"],
            "resource": payload["resource"],
        }


class RegistryImportForm(ImportForm):
    """The import form: a CSV or XLSX file of at most `IMPORT_MAX_BYTES`, whose name says
    which (the format list offers these two only; another value posted is refused by the
    choice field). A file whose extension and chosen format differ is refused rather than
    misread."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = _("Fichier à importer")
        self.fields["import_file"].help_text = _(
            "CSV (séparé par des virgules ou des points-virgules, encodé en UTF-8) ou classeur "
            "Excel XLSX ; %(size)s et %(rows)s lignes au plus."
        ) % {"size": filesizeformat(settings.IMPORT_MAX_BYTES), "rows": settings.IMPORT_MAX_ROWS}
        self.fields["import_file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.fields["format"].label = _("Format")
        self.fields["resource"].label = _("Jeu de données")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        extension = os.path.splitext(upload.name or "")[1].lower()
        if extension not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(
                _("Seuls les fichiers CSV (.csv) et Excel (.xlsx) sont acceptés."),
                code="extension",
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Fichier trop volumineux (%(size)s) : %(limit)s au plus. Découpez-le.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
                },
                code="size",
            )
        return upload

    def clean(self):
        data = super().clean()
        upload, chosen = data.get("import_file"), data.get("format")
        if upload is not None and chosen not in (None, ""):
            extension = os.path.splitext(upload.name or "")[1].lower()
            if IMPORT_EXTENSIONS.get(extension) != int(chosen):
                self.add_error(
                    "format",
                    _("Le fichier « %(name)s » ne correspond pas au format choisi.")
                    % {"name": upload.name},
                )
        return data


class RegistryExportForm(SelectableFieldsExportForm):
    """The export form, in French: each column by its name in the file and what it holds."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].label = _("Format")
        self.fields["format"].choices = [
            (str(n), FORMAT_LABELS.get(f, f().get_title())) for n, f in enumerate(formats)
        ]
        self.fields["format"].help_text = _(
            "Pour ouvrir le fichier dans Excel, choisissez le classeur XLSX ou le CSV pour "
            "Excel ; le CSV à virgules convient aux autres logiciels. Les trois se réimportent."
        )
        self.fields["resource"].label = _("Jeu de données")

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        label = getattr(field, "label", "")
        column = field.column_name if field else field_name
        return f"{column} — {label}" if label else column
