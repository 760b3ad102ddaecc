"""Import and export of memberships (django-import-export), scoped by `bodies.access`.

Two traps of django-import-export are closed here: rows are looked up through
`Resource.get_queryset()` and foreign keys through `ForeignKeyWidget.get_queryset()`, both of
which default to the whole table. Here both are the user's scope, and a row naming a
membership id outside it is refused rather than treated as new (saving a new instance with
an existing primary key would overwrite someone else's row).

Imports are all-or-nothing: one transaction, rolled back on any error or validation error.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, results, widgets

from . import access as policy
from .imports import Formula
from .models import Body, Institution, Membership, Person
from .spreadsheets import neutralised
from .validators import is_whole_number

security_log = logging.getLogger("partnerships.security")


class QuietError(results.Error):
    """An import error shown without its traceback (server paths, code) unless DEBUG is on:
    the import page prints the traceback of errors that concern the whole file."""

    @property
    def traceback(self):
        return super().traceback if settings.DEBUG else ""


class RegistryResource(resources.ModelResource):
    """What every import and export of the registry shares: exported text cells
    neutralised against formula injection; the file's columns checked first
    (`required_columns`), all or nothing, validation errors included (the library's default
    keeps the rows that passed), cells the database cannot hold or that are no values
    (NUL bytes, formulas) refused as row errors in French, and no traceback shown."""

    required_columns: tuple[str, ...] = ()

    def export_field(self, field, instance, **kwargs):
        """Text cells neutralised against formula injection, in CSV and XLSX alike (the
        library's own setting only strips a leading `=`, and turns every cell into text);
        numbers stay numbers."""
        value = super().export_field(field, instance, **kwargs)
        return neutralised(value) if isinstance(value, str) else value

    def get_error_result_class(self):
        return QuietError

    def import_data(self, dataset, **kwargs):
        headers = [str(h).strip() for h in (dataset.headers or []) if h is not None]
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            # Every row would fail for the same reason: say it once, in French.
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            result.append_base_error(
                QuietError(
                    ValueError(
                        _("Colonne(s) manquante(s) : %(missing)s. Colonnes lues : %(read)s.")
                        % {
                            "missing": ", ".join(missing),
                            "read": ", ".join(headers) or _("aucune"),
                        }
                    )
                )
            )
            return result
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for column, value in row.items():
            if isinstance(value, Formula):
                raise ValueError(
                    _(
                        "Colonne « %(column)s » : formule « %(formula)s » ; le registre lit des "
                        "valeurs, pas des formules. Collez les valeurs seules (collage spécial) "
                        "puis importez de nouveau."
                    )
                    % {"column": column, "formula": value[:40]}
                )
            if isinstance(value, str) and "\x00" in value:
                # PostgreSQL refuses NUL in text (a crash), SQLite would store it
                raise ValueError(
                    _("Colonne « %(column)s » : caractère nul, ce n’est pas un texte lisible.")
                    % {"column": column}
                )


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks related rows up in `choices(access)` only; an id outside it reads as unknown."""

    def __init__(self, model, choices, **kwargs):
        super().__init__(model, **kwargs)
        self.choices = choices
        self.access = policy.ANONYMOUS

    def get_queryset(self, value, row, *args, **kwargs):
        return self.choices(self.access)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if not is_whole_number(str(value).strip()):
            raise ValueError(
                _("« %(value)s » n’est pas un numéro de %(model)s : un nombre entier est attendu.")
                % {"model": self.model._meta.verbose_name, "value": value}
            )
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("%(model)s n° %(value)s inconnu(e) ou hors de votre périmètre.")
                % {"model": self.model._meta.verbose_name.capitalize(), "value": value}
            ) from None


class IdWidget(widgets.Widget):
    """A whole number or nothing: « 1.5 » is an error, not row 1."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        if not is_whole_number(text):
            raise ValueError(
                _(
                    "Identifiant « %(value)s » invalide : un nombre entier est attendu, ou rien "
                    "pour créer un mandat."
                )
                % {"value": value}
            )
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class FrenchDateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__("%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("Date « %(value)s » invalide : attendue sous la forme AAAA-MM-JJ.")
                % {"value": value}
            ) from None


class RoleWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value not in Membership.Role.values:
            raise ValueError(
                _("Rôle « %(value)s » inconnu : %(roles)s.")
                % {"value": value, "roles": ", ".join(Membership.Role.values)}
            )
        return value


class MembershipResource(RegistryResource):
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    body = fields.Field(
        attribute="body",
        column_name="instance",
        widget=ScopedForeignKeyWidget(Body, policy.administered_bodies),
    )
    body_name = fields.Field(attribute="body__name", column_name="nom_instance", readonly=True)
    person = fields.Field(
        attribute="person",
        column_name="personne",
        widget=ScopedForeignKeyWidget(Person, policy.seatable_people),
    )
    person_name = fields.Field(
        attribute="person", column_name="nom_personne", readonly=True, widget=widgets.CharWidget()
    )
    institution = fields.Field(
        attribute="institution",
        column_name="institution",
        widget=ScopedForeignKeyWidget(Institution, policy.visible_institutions),
    )
    institution_name = fields.Field(
        attribute="institution__name", column_name="nom_institution", readonly=True
    )
    role = fields.Field(attribute="role", column_name="role", widget=RoleWidget())
    started_on = fields.Field(
        attribute="started_on", column_name="debut", widget=FrenchDateWidget()
    )
    ended_on = fields.Field(attribute="ended_on", column_name="fin", widget=FrenchDateWidget())

    class Meta:
        model = Membership
        fields = [
            "id",
            "body",
            "body_name",
            "person",
            "person_name",
            "institution",
            "institution_name",
            "role",
            "started_on",
            "ended_on",
        ]
        import_id_fields = ["id"]
        clean_model_instances = True
        skip_unchanged = True
        use_transactions = True

    required_columns = ("instance", "personne", "institution", "role", "debut")

    def __init__(self, access=policy.ANONYMOUS, **kwargs):
        super().__init__(**kwargs)
        self.access = access
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.access = access

    def get_queryset(self):
        return policy.editable_memberships(self.access).select_related(
            "body", "person", "institution"
        )

    def get_instance(self, instance_loader, row):
        instance = super().get_instance(instance_loader, row)
        if instance is None and row.get("id") not in (None, ""):
            raise ValidationError(
                _(
                    "Mandat n° %(id)s inconnu ou hors de votre périmètre : laissez la colonne id "
                    "vide pour créer un mandat."
                )
                % {"id": row.get("id")}
            )
        return instance

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        security_log.info(
            "export model=membership user_id=%s rows=%s", self.access.user_id, queryset.count()
        )
        return super().export(queryset=queryset, **kwargs)
