"""The administration's shared base, scoped by `bodies.access`: every admin of the registry
(bodies, actions, meetings) builds on it.

Permissions come from roles (superuser, prefecture staff, coordinator), not from Django's
per-model permissions: each admin says which rows a user may see, change, add and delete,
and which choices each foreign key offers — the same choices the autocompletes return and the
forms validate against. Out-of-scope objects answer 404; in-scope writes a role does not allow
answer 403.
"""

import hashlib
import hmac
import logging

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.results import RowResult
from simple_history.admin import SimpleHistoryAdmin

from . import access as policy
from . import imports
from .models import SEARCH_WORDS
from .validators import is_whole_number

security_log = logging.getLogger("partnerships.security")

# The date hierarchy turns `…__year`, `__month`, `__day` into dates in Python: an
# eleven-digit year overflows there and 9999 has no next year (500s), so values outside
# these bounds are refused like an undeclared lookup (400).
DATE_HIERARCHY_BOUNDS = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def administrators_only(access, qs):
    """`qs` for administrators, nothing for anyone else."""
    return qs if policy.is_administrator(access) else qs.none()


class ScopedChoices:
    """Foreign-key and many-to-many choices limited by role: `field_choices` maps a field
    name to a function(access) -> queryset. Administrators choose from everything."""

    field_choices: dict = {}

    def choices_for(self, request, field_name):
        access = policy.access_for(request.user)
        if policy.is_administrator(access) or field_name not in self.field_choices:
            return None
        return self.field_choices[field_name](access)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.name)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.name)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoices, admin.ModelAdmin):
    """Base for every admin of the registry.

    Subclasses define `visible(access, qs)` (rows the user may open), `editable(access, qs)`
    (rows the user may change), `deletable(access, qs)`, `changing_roles(access)` (whether
    the role changes anything of this model: no query), `may_add(access)`,
    `deleting_roles(access)`, and `field_choices`.
    """

    # A list says how many rows match, not also how many the whole table holds: counting a
    # table of half a million commitments took longer than the search itself.
    show_full_result_count = False

    # -- policy, overridden per model --------------------------------------------------

    def visible(self, access, qs):
        return qs if policy.uses_administration(access) else qs.none()

    def editable(self, access, qs):
        return administrators_only(access, qs)

    def may_add(self, access):
        return policy.is_administrator(access)

    def deletable(self, access, qs):
        return self.editable(access, qs)

    # -- Django admin hooks ------------------------------------------------------------

    def access(self, request):
        return policy.access_for(request.user)

    def get_queryset(self, request):
        return self.visible(self.access(request), super().get_queryset(request))

    def view_on_site_queryset(self, request):
        """Rows whose public page « voir sur le site » may lead to (others answer 404, as
        missing ones do): those the user opens here."""
        return self.get_queryset(request)

    def _allowed(self, request, rule, obj) -> bool:
        """`rule` applied to `obj` (one query, memoised for the request)."""
        access = self.access(request)
        if policy.is_administrator(access):
            return True
        memo = request.__dict__.setdefault("_registry_allowed", {})
        key = (self.model, rule.__name__, obj.pk)
        if key not in memo:
            memo[key] = rule(access, self.model._default_manager.filter(pk=obj.pk)).exists()
        return memo[key]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def viewing_roles(self, access) -> bool:
        """Whether the role opens this model's list at all (no query)."""
        return policy.uses_administration(access)

    def has_view_permission(self, request, obj=None):
        access = self.access(request)
        if not self.viewing_roles(access):
            return False
        return obj is None or self._allowed(request, self.visible, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.changing_roles(self.access(request))
        return self._allowed(request, self.editable, obj)

    def changing_roles(self, access) -> bool:
        return policy.is_administrator(access)

    def has_add_permission(self, request):
        return self.may_add(self.access(request))

    def has_delete_permission(self, request, obj=None):
        access = self.access(request)
        if obj is None:
            return policy.is_administrator(access) or self.deleting_roles(access)
        return self._allowed(request, self.deletable, obj)

    def deleting_roles(self, access) -> bool:
        return self.changing_roles(access)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A conflict that only the database sees (two rows of one form breaking a unique
        rule together) comes back as a message, never as a server error; the admin's own
        transaction has rolled everything back."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            messages.error(
                request,
                _(
                    "Rien n’a été enregistré : les lignes saisies se contredisent (par "
                    "exemple deux présidents en exercice, ou la même personne deux fois). "
                    "Corrigez et recommencez."
                ),
            )
            return HttpResponseRedirect(request.get_full_path())

    def get_object(self, request, object_id, from_field=None):
        # Out of scope and nonexistent look the same, and answer before any permission
        # check could tell them apart: 404 (Django would redirect with a message).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def lookup_allowed(self, lookup, value, request=None):
        """Only the declared filters, for everyone but administrators: a free lookup such as
        `?problem_statement__icontains=…` would let a reader test hidden text. The date
        hierarchy's values are bounded for everyone."""
        if not self.date_hierarchy_value_allowed(lookup, value):
            return False
        if request is not None and policy.is_administrator(self.access(request)):
            return super().lookup_allowed(lookup, value, request)
        fields, parameters = self.declared_filters(request)
        if lookup not in parameters and not any(
            lookup == name or lookup.startswith(f"{name}__") for name in fields
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def date_hierarchy_value_allowed(self, lookup, value) -> bool:
        """A date part (`…__year`, `__month`, `__day`) within its bounds, on any date field:
        the lists of large tables have no date navigation, and an administrator may still
        type `?started_on__year=99999999999`, which overflowed while building the date."""
        if "__" not in lookup:
            return True
        bounds = DATE_HIERARCHY_BOUNDS.get(lookup.rsplit("__", 1)[1])
        if bounds is None:
            return True
        return is_whole_number(str(value)) and bounds[0] <= int(value) <= bounds[1]

    def declared_filters(self, request):
        """(field paths, exact parameter names) of the list's declared filters: a field filter
        (`"body__type"`, or a pair with its filter class) answers to lookups under its path;
        a `SimpleListFilter` (`StatusFilter`) answers to its own parameter only."""
        fields, parameters = [], set()
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                parameters.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                fields.append(item[0])
            else:
                fields.append(item)
        if self.date_hierarchy:
            fields.append(self.date_hierarchy)
        return fields, parameters

    def get_search_results(self, request, queryset, search_term):
        """Autocompletes return what the asking form accepts, not the whole table. A search
        reads its first words only (each word is a filter: a thousand of them made a query
        SQLite refuses)."""
        search_term = " ".join(search_term.split()[:SEARCH_WORDS])
        search_fields = self.get_search_fields(request)
        if search_fields and search_term:
            queryset, may_have_duplicates = indexed_search(queryset, search_fields, search_term)
        else:
            queryset, may_have_duplicates = queryset, False
        source = autocomplete_source(self.admin_site, request)
        if source is not None:
            source_admin, field_name = source
            choices = source_admin.choices_for(request, field_name)
            if choices is not None:
                queryset = queryset.filter(pk__in=choices.values("pk"))
        return queryset, may_have_duplicates


def _search_lookup(field_name: str) -> tuple[str, str]:
    """The path and lookup of an admin search field, as Django reads its prefixes."""
    if field_name.startswith("^"):
        return field_name[1:], "istartswith"
    if field_name.startswith("="):
        return field_name[1:], "iexact"
    if field_name.startswith("@"):
        return field_name[1:], "search"
    return field_name, "icontains"


# Ids of a related table's matches written into the query; beyond, a subquery.
SEARCH_RELATED_IDS = 1000


def _search_condition(model, path: str, lookup: str, word: str) -> Q:
    """The condition on `model`'s rows whose field at `path` matches `word`. Through a
    relation (`person__last_name`), the related table is searched first, alone, with its
    own index, and its matching ids (at most `SEARCH_RELATED_IDS`, a subquery beyond) become
    `person__in=[…]`: PostgreSQL then combines the conditions on the searched table from its
    indexes (a trigram index on a text, the foreign key's index for a list of ids) instead
    of comparing every row of the joined tables. One query per relation searched."""
    name, _, rest = path.partition("__")
    field = model._meta.get_field(name)
    if not (rest and field.is_relation):
        return Q(**{f"{path}__{lookup}": word})
    related = field.related_model
    matches = related._base_manager.filter(_search_condition(related, rest, lookup, word))
    ids = list(matches.order_by().values_list("pk", flat=True)[: SEARCH_RELATED_IDS + 1])
    found = ids if len(ids) <= SEARCH_RELATED_IDS else matches.order_by().values("pk")
    if field.many_to_one or (field.one_to_one and field.concrete):
        return Q(**{f"{name}__in": found})
    # Many-to-many or reverse: the ids of the rows they lead to, without joining (no
    # duplicates).
    return Q(pk__in=model._base_manager.filter(**{f"{name}__in": found}).values("pk"))


def indexed_search(queryset, search_fields, search_term):
    """Django's admin search — every word in at least one of `search_fields` (`^`, `=`, `@`
    prefixes as Django reads them, quoted phrases kept) — with each related table searched
    on its own (`_search_condition`), so that PostgreSQL answers from its indexes (trigram
    GIN indexes: bodies/search_indexes.py) rather than comparing every row of the joined
    tables (a second per search at national scale). No duplicates."""
    model = queryset.model
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        condition = Q()
        for field in search_fields:
            condition |= _search_condition(model, *_search_lookup(field), bit)
        queryset = queryset.filter(condition)
    return queryset, False


class AuditedAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """A scoped admin over a model with django-simple-history records: its history is read by
    administrators and by prefecture staff in scope, and never reverted from the admin."""

    def _check_history_scope(self, request, object_id, version_id=None):
        """404 for a malformed id (rather than a crash) and for an object out of scope."""
        try:
            object_id = self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                int(version_id)
        except (ValidationError, ValueError, TypeError):
            raise Http404 from None
        if not policy.is_administrator(self.access(request)) and not (
            self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404

    def history_readable(self, request, obj) -> bool:
        """Whether every field shown in the history may be read (see BodyAdmin)."""
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POST here (a revert) whatever the permissions say: history
        # is read-only in the registry.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        self._check_history_scope(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        access = self.access(request)
        if policy.is_administrator(access):
            return True
        return (
            policy.may_read_history(access)
            and self.has_view_permission(request, obj)
            and (obj is None or self.history_readable(request, obj))
        )

    has_view_history_permission = has_view_history_or_change_history_permission

    def has_change_history_permission(self, request, obj=None):
        return False  # history is read-only: reverting would bypass validation


class AdministratorsOnlyAdmin(AuditedAdmin):
    """Reference data that only administrators open in the administration (others use the
    registry's own pages, or have no business there)."""

    def visible(self, access, qs):
        return administrators_only(access, qs)

    def viewing_roles(self, access):
        return policy.is_administrator(access)


class ImportExportAdmin(ImportExportMixin):
    """django-import-export in the registry's administration (memberships, measurements):
    the formats of `bodies.imports` (formulas are not values), the uploaded file kept under a
    name the server chooses and confirmed by a signed reference, once (`bodies.imports`), and
    a confirmation that says what happened — imported, refused, already done — in French."""

    import_formats = imports.IMPORT_FORMATS
    export_formats = imports.EXPORT_FORMATS
    # The export file's name: the public exports' dataset name (`/exports/`), and the date.
    DATASET_NAMES = {
        "bodies.body": "bodies",
        "bodies.institution": "institutions",
        "bodies.person": "people",
        "bodies.membership": "memberships",
        "bodies.site": "sites",
        "actions.measurement": "measurements",
    }
    tmp_storage_class = imports.PendingImport
    confirm_form_class = imports.SignedConfirmImportForm
    import_form_class = imports.RegistryImportForm
    export_form_class = imports.RegistryExportForm

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"access": self.access(request)}

    def has_import_permission(self, request):
        """Whoever adds and changes this model's rows imports them, within the same scope."""
        return self.changing_roles(self.access(request))

    has_export_permission = has_import_permission

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, imports.UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                _("Fichier illisible : vérifiez qu’il s’agit bien d’un fichier CSV ou XLSX."),
            )

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _(
                "Importation terminée : %(new)s créé(s), %(updated)s modifié(s), %(skipped)s "
                "inchangé(s) (%(model)s)."
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
                "model": self.model._meta.verbose_name_plural,
            },
        )

    def write_to_tmp_storage(self, import_file, input_format):
        storage = super().write_to_tmp_storage(import_file, input_format)
        import_file.tmp_storage_sha256 = storage.sha256  # signed with the confirmation
        return storage

    def import_action(self, request, **kwargs):
        try:
            response = super().import_action(request, **kwargs)
        except imports.UnsafePendingFolder as error:
            security_log.error("import refused: %s", error)
            messages.error(
                request,
                _(
                    "Import impossible : le dossier où les fichiers attendent leur "
                    "confirmation n’est pas sûr. Prévenez l’administrateur du registre."
                ),
            )
            return HttpResponseRedirect(request.get_full_path())
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = (getattr(form, "cleaned_data", None) or {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name and "confirm_form" not in context:
            # A refused preview can never be confirmed: its file (names, e-mail addresses)
            # does not wait an hour on disk.
            self.get_tmp_storage_class()(name=name).remove()
        if hasattr(response, "context_data"):
            response.context_data["title"] = _("Importer des %(model)s") % {
                "model": self.model._meta.verbose_name_plural
            }
            resource = self.get_import_resource_classes(request)[0]
            required = getattr(resource, "required_columns", ())
            response.context_data["columns"] = [
                (f.column_name, getattr(f, "label", ""), f.column_name in required, f.readonly)
                for f in resource().get_export_fields()
            ]
        return response

    def export_action(self, request):
        response = super().export_action(request)
        if hasattr(response, "context_data"):
            response.context_data["title"] = _("Exporter des %(model)s") % {
                "model": self.model._meta.verbose_name_plural
            }
        return response

    def get_export_filename(self, request, queryset, file_format):
        name = self.DATASET_NAMES.get(self.model._meta.label_lower, self.model._meta.model_name)
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        return {**kwargs, "user": request.user, "model_label": self.model._meta.label_lower}

    def get_confirm_form_initial(self, request, import_form):
        if import_form is None:
            return {}
        return {
            "import_file_name": imports.sign_confirmation(
                request, self.model._meta.label_lower, import_form
            )
        }

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        again = HttpResponseRedirect(
            reverse(
                "admin:{}_{}_import".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            messages.error(
                request,
                " ".join(confirm_form.non_field_errors())
                or _("Confirmation invalide : envoyez le fichier de nouveau."),
            )
            return again
        data = confirm_form.cleaned_data
        input_format = self.get_import_formats()[int(data["format"])](encoding=self.from_encoding)
        pending = self.get_tmp_storage_class()(
            name=data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
        )
        try:
            content = pending.claim()
        except FileNotFoundError:
            messages.error(
                request,
                _(
                    "Cet import a déjà été confirmé, ou son aperçu a expiré : rien de plus n’a "
                    "été importé. Envoyez le fichier de nouveau s’il le faut."
                ),
            )
            return again
        raw = content if isinstance(content, bytes) else content.encode(pending.encoding or "utf-8")
        if not hmac.compare_digest(hashlib.sha256(raw).hexdigest(), data.get("sha256") or "-"):
            security_log.warning(
                "import refused: pending file changed since its preview user_id=%s", request.user.pk
            )
            messages.error(
                request,
                _(
                    "Rien n’a été importé : le fichier n’est plus celui de l’aperçu. Envoyez-le "
                    "de nouveau."
                ),
            )
            return again
        result = self.process_dataset(
            input_format.create_dataset(content), confirm_form, request, **kwargs
        )
        if result.has_errors() or result.has_validation_errors():
            # Rolled back: the rows changed between the preview and the confirmation.
            messages.error(
                request,
                _(
                    "Rien n’a été importé : les données ont changé depuis l’aperçu. Envoyez le "
                    "fichier de nouveau pour en voir un nouvel aperçu."
                ),
            )
            for text in import_errors(result)[:10]:
                messages.error(request, text)
            return again
        return self.process_result(result, request)


def import_errors(result) -> list[str]:
    """An import's errors as French lines: the file's, then each row's, with its line and
    its column as written in the file (`RegistryResource.problems`)."""
    lines = []
    for problem in getattr(result, "problems", []):
        if problem.line is None:
            lines.append(problem.message)
        elif problem.column is None:
            lines.append(
                _("Ligne %(line)s : %(error)s") % {"line": problem.line, "error": problem.message}
            )
        else:
            lines.append(
                _("Ligne %(line)s, colonne « %(column)s » : %(error)s")
                % {"line": problem.line, "column": problem.column, "error": problem.message}
            )
    return lines


def autocomplete_source(site, request):
    """(admin of the form asking, field name) for an autocomplete request, else None."""
    if request.resolver_match is None or request.resolver_match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
    except (KeyError, LookupError):
        return None
    source_admin = site._registry.get(model)
    if not isinstance(source_admin, ScopedAdmin):
        return None
    return source_admin, request.GET.get("field_name", "")
