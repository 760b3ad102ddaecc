"""Reading the public recorded-crime file of the ministry's statistical service (SSMSI,
« base communale de la délinquance enregistrée »), for one commune.

The file is a semicolon CSV of several hundred megabytes: one row per commune, year and
indicator, with columns such as `CODGEO_2025`, `annee`, `indicateur`, `unite_de_compte`,
`nombre`, `taux_pour_mille`, `est_diffuse`, `insee_pop`. Column names change between
editions (the geography year in `CODGEO_AAAA`; two-digit years in older ones), so columns are
found by their stem. Small counts are not published (`est_diffuse` = `ndiff`, `nombre`
empty or `NA`): they stay missing, never zero.

The file is read as a stream, line by line, keeping only the chosen commune's rows: memory
stays flat whatever its size.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core import signing
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import Indicator, Measurement

REQUIRED = ("annee", "indicateur", "nombre", "est_diffuse")
MAX_VALUE = Decimal(10) ** 11  # as measurements: 14 digits, 3 of them decimals
THOUSANDTH = Decimal("0.001")
MAX_LABEL = 120  # Indicator.ssmsi_indicator
MAX_LINE = 4096  # characters; a line of the file holds about a hundred
MISSING_MARKERS = {"", "na", "nan", "null", "ndiff", "nd", "s", "-"}


class SsmsiError(ValueError):
    """The file cannot be read as an SSMSI communal base; the message is French."""


@dataclass
class Series:
    """One indicator of the file for the commune: per year, (count, rate per thousand),
    None where the SSMSI does not publish the figure."""

    label: str
    unit: str = ""
    years: dict = field(default_factory=dict)

    def value(self, year: int, rate: bool):
        count, per_thousand = self.years[year]
        return per_thousand if rate else count


def _number(text: str):
    """A count or a rate: missing markers read as None; rates are rounded to three decimals
    (the registry's precision); anything else that is not a number we can hold is an error."""
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if cleaned.lower() in MISSING_MARKERS:
        return None
    with localcontext() as context:
        context.prec = 40
        try:
            value = Decimal(cleaned.replace(",", "."))
            if value.is_finite():
                # bounded once rounded: 99999999999.9999 rounds up to twelve integer digits
                value = value.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
                if abs(value) < MAX_VALUE:
                    return value
        except ArithmeticError:
            pass
    raise ValueError(_("nombre « %(value)s » illisible ou hors limites") % {"value": text[:40]})


def _year(text: str) -> int | None:
    text = (text or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"[0-9]{2,4}", text):
        return None
    year = int(text)
    if year < 100:  # older editions write 16 for 2016
        year += 2000
    return year if 1990 <= year <= 2100 else None


def _encoding(uploaded) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (spreadsheet exports), else Latin-1
    (older editions)."""
    raw = uploaded.read(4096)
    uploaded.seek(0)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if error.start < len(raw) - 3:
            return "latin-1"
    return "utf-8-sig"


class _Lines:
    """The file's header, then only the lines that mention `code`: a substring test in C
    skips the other communes' millions of rows before the CSV parser sees them. `number`
    is the physical line number of the last line given, for error messages.

    Lines are read at most `MAX_LINE` characters at a time: a file without line breaks
    would otherwise be held whole in memory (as one line) before anything could refuse it."""

    def __init__(self, text, code: str):
        self.text, self.code, self.number = text, code, 0

    def __iter__(self):
        read_line = functools.partial(self.text.readline, MAX_LINE)
        for number, line in enumerate(iter(read_line, ""), start=1):
            if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
                raise SsmsiError(
                    _(
                        "Ligne %(line)s : plus de %(max)s caractères sans retour à la ligne ; "
                        "ce fichier n’a pas la forme de la base communale du SSMSI (une ligne "
                        "par commune, année et indicateur)."
                    )
                    % {"line": number, "max": MAX_LINE}
                )
            if number == 1 or self.code in line:
                self.number = number
                if "\x00" in line:  # PostgreSQL refuses it in text; no SSMSI file has one
                    raise SsmsiError(
                        _("Ligne %(line)s : caractère nul, ce n’est pas un texte lisible.")
                        % {"line": number}
                    )
                yield line


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().strip('"').lower() for name in header]
    found = {}
    for index, name in enumerate(names):
        if re.fullmatch(r"codgeo(_\d{4})?", name) and "code" not in found:
            found["code"] = index
        elif name in (*REQUIRED, "taux_pour_mille", "unite_de_compte"):
            found.setdefault(name, index)
    missing = [name for name in ("code", *REQUIRED) if name not in found]
    if missing:
        raise SsmsiError(
            _(
                "Ce fichier ne ressemble pas à la base communale du SSMSI : colonne(s) "
                "manquante(s) %(missing)s. Colonnes lues : %(found)s."
            )
            % {
                "missing": ", ".join("CODGEO_AAAA" if m == "code" else m for m in missing),
                "found": ", ".join(names[:12]) or _("aucune"),
            }
        )
    return found


def read_commune(uploaded, insee_code: str) -> dict[str, Series]:
    """Every indicator of the file for the commune `insee_code`, by label."""
    binary = getattr(uploaded, "file", uploaded)
    text = io.TextIOWrapper(binary, encoding=_encoding(uploaded), errors="replace", newline="")
    try:
        return _read(text, insee_code)
    finally:
        text.detach()  # the upload stays open for Django to clean up


def _read(text, insee_code: str) -> dict[str, Series]:
    lines = _Lines(text, insee_code)
    reader = csv.reader(lines, delimiter=";")
    try:
        header = next(reader)
    except StopIteration:
        raise SsmsiError(_("Le fichier est vide.")) from None
    except csv.Error as error:
        raise SsmsiError(_("Fichier illisible : %(error)s") % {"error": error}) from None
    if len(header) < 2:
        raise SsmsiError(
            _("Le fichier n’est pas séparé par des points-virgules, comme l’est celui du SSMSI.")
        )
    columns = _columns(header)
    code_at, width = columns["code"], max(columns.values()) + 1
    series: dict[str, Series] = {}
    try:
        for row in reader:
            if len(row) < width or row[code_at].strip().strip('"') != insee_code:
                continue
            year = _year(row[columns["annee"]])
            label = row[columns["indicateur"]].strip()
            if year is None or not label:
                continue
            if len(label) > MAX_LABEL:
                raise SsmsiError(
                    _("Ligne %(line)s : libellé d’indicateur de plus de %(max)s caractères.")
                    % {"line": lines.number, "max": MAX_LABEL}
                )
            published = row[columns["est_diffuse"]].strip().lower() != "ndiff"
            try:
                count = _number(row[columns["nombre"]]) if published else None
                rate = (
                    _number(row[columns["taux_pour_mille"]])
                    if published and "taux_pour_mille" in columns
                    else None
                )
            except ValueError as error:
                raise SsmsiError(
                    _("Ligne %(line)s : %(error)s.") % {"line": lines.number, "error": error}
                ) from None
            entry = series.setdefault(label, Series(label))
            if "unite_de_compte" in columns:
                entry.unit = row[columns["unite_de_compte"]].strip()
            entry.years[year] = (count, rate)
    except csv.Error as error:
        raise SsmsiError(
            _("Fichier illisible à la ligne %(line)s : %(error)s")
            % {"line": lines.number, "error": error}
        ) from None
    return dict(sorted(series.items()))


# -- from a preview to measurements ---------------------------------------------------------

SIGNING_SALT = "actions.ssmsi.preview"
PREVIEW_MAX_AGE = 3600  # seconds between the preview and the import


def pack(plan_id: int, commune_id: int, series: dict[str, Series]) -> str:
    """The commune's figures, signed: the confirmation form carries them back without the
    file being sent twice or kept on the server, and without being alterable."""
    payload = {
        "plan": plan_id,
        "commune": commune_id,
        "series": {
            label: {
                "unit": s.unit,
                "years": {
                    str(year): [None if v is None else str(v) for v in values]
                    for year, values in s.years.items()
                },
            }
            for label, s in series.items()
        },
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unpack(token: str, plan_id: int) -> tuple[int, dict[str, Series]]:
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise SsmsiError(_("L’aperçu a expiré : relisez le fichier.")) from None
    except signing.BadSignature:
        raise SsmsiError(_("Aperçu invalide : relisez le fichier.")) from None
    if payload.get("plan") != plan_id:
        raise SsmsiError(_("Cet aperçu a été préparé pour un autre plan."))
    series = {
        label: Series(
            label,
            data["unit"],
            {
                int(year): tuple(None if v is None else Decimal(v) for v in values)
                for year, values in data["years"].items()
            },
        )
        for label, data in payload["series"].items()
    }
    return payload["commune"], series


def import_series(plan, commune, chosen: list[Series], rate: bool, user) -> dict:
    """Each chosen series becomes the yearly measurements of the plan's indicator that tracks
    it for this commune (created when there is none), source « SSMSI ». Run inside a
    transaction by the caller. Returns counts."""
    unit = _("‰ habitants") if rate else _("faits")
    indicators = {
        i.ssmsi_indicator: i
        for i in Indicator.objects.select_for_update()
        .order_by()
        .filter(
            plan=plan,
            commune=commune,
            ssmsi_rate=rate,
            ssmsi_indicator__in=[s.label for s in chosen],
        )
    }
    created_indicators = 0
    for s in chosen:
        if s.label not in indicators:
            indicators[s.label] = Indicator.objects.create(
                plan=plan,
                name=f"{s.label} — {commune.name}" + (f" ({unit})" if rate else ""),
                unit=unit,
                direction=Indicator.Direction.LOWER,
                frequency=Indicator.Frequency.YEARLY,
                is_count=not rate,
                source="SSMSI",
                ssmsi_indicator=s.label,
                ssmsi_rate=rate,
                commune=commune,
            )
            created_indicators += 1
    existing = {
        (m.indicator_id, m.period_start.year): m
        for m in Measurement.objects.select_for_update()
        .order_by()
        .filter(indicator__in=[i.pk for i in indicators.values()])
    }
    new, changed = [], []
    for s in chosen:
        indicator = indicators[s.label]
        for year in sorted(s.years):
            value = s.value(year, rate)
            note = "SSMSI" if value is not None else _("SSMSI — non diffusé (secret statistique)")
            current = existing.get((indicator.pk, year))
            if current is None:
                new.append(
                    Measurement(
                        indicator=indicator,
                        period_start=datetime.date(year, 1, 1),
                        value=value,
                        source_note=note,
                        entered_by=user,
                    )
                )
            elif current.value != value or current.source_note != note:
                current.value, current.source_note, current.entered_by = value, note, user
                changed.append(current)
    if new:
        bulk_create_with_history(new, Measurement, default_user=user)
    if changed:
        bulk_update_with_history(
            changed, Measurement, ["value", "source_note", "entered_by"], default_user=user
        )
    return {"indicators": created_indicators, "created": len(new), "updated": len(changed)}
