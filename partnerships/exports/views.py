"""The open-data pages: the catalogue, a CSV per dataset, its data dictionary,
`datapackage.json` and the dump. Every reader downloads what it may read (public records for
the public and researchers); people are pseudonyms; every download is logged."""

import datetime
import logging
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bodies.access import access_for, exports_names
from bodies.filters import BodyFilter
from bodies.models import Body
from bodies.validators import DEPARTMENT_CODE_RE
from meetings.activity import bodies_with_status
from meetings.filters import CommitmentFilter
from meetings.models import Commitment

from ..security_log import client_address
from . import dump, package
from .datasets import DATASETS
from .model import Filters
from .writers import rows

logger = logging.getLogger("partnerships.security")


class FilterForm(forms.Form):
    """The filters a download takes from the query string, as the directory names them."""

    department = forms.RegexField(
        label=gettext_lazy("Département (code)"), regex=DEPARTMENT_CODE_RE, required=False
    )
    type = forms.ChoiceField(
        label=gettext_lazy("Type d’instance"),
        choices=[("", gettext_lazy("Tous")), *Body.Type.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Statut de l’instance"),
        choices=[("", gettext_lazy("Tous")), *Body.Status.choices],
        required=False,
    )
    since = forms.DateField(
        label=gettext_lazy("Depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Jusqu’au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # `1` only: a browser's checkbox sends it; `0`, `no`, `off` must not mean yes
    personal = forms.TypedChoiceField(
        label=gettext_lazy("Avec les noms des personnes que je peux lire (données personnelles)"),
        choices=[("", "—"), ("1", gettext_lazy("oui"))],
        coerce=bool,
        empty_value=False,
        required=False,
    )

    # `from` and `to` in the URL (Python keywords, so named otherwise in the code)
    URL_NAMES = {"since": "from", "until": "to"}

    def add_prefix(self, field_name):
        return self.URL_NAMES.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("La date de début suit la date de fin."))
        for name in ("since", "until"):
            day = data.get(name)
            if day and not 1900 <= day.year <= 2200:
                self.add_error(name, _("Choisissez une date entre 1900 et 2200."))
        return data

    def filters(self, dataset=None) -> Filters:
        """The filters; `applied` keeps those `dataset` takes (for the log and the file's
        name: an institutions file is not « type-gltd »)."""
        data = self.cleaned_data
        takes = {"personal"}
        if dataset is None or dataset.body is not None:
            takes |= {"department", "type", "status"}
        elif dataset.department is not None:
            takes.add("department")
        if dataset is None or dataset.period is not None:
            takes |= {"since", "until"}
        applied = {
            self.add_prefix(name): self.data[self.add_prefix(name)]
            for name in self.fields
            if name in takes and self.data.get(self.add_prefix(name))
        }
        return Filters(
            department=data["department"],
            type=data["type"],
            status=data["status"],
            since=data["since"],
            until=data["until"],
            personal=data["personal"],
            applied=applied,
        )


def catalogue(request):
    """Every dataset, its dictionary and its CSV with the filters chosen; the dump."""
    form = FilterForm(request.GET)
    may_export_names = exports_names(access_for(request.user))
    query = ""
    if form.is_valid():
        kept = {k: v for k, v in form.filters().applied.items() if k != "personal"}
        if form.cleaned_data["personal"] and may_export_names:
            kept["personal"] = "1"
        query = urlencode(kept)
    context = {
        "datasets": DATASETS.values(),
        "may_export_names": may_export_names,
        "form": form,
        "query": query,
        "dump": dump.latest(),
    }
    return render(request, "exports/catalogue.html", context)


def dictionary(request, name):
    dataset = DATASETS.get(name)
    if dataset is None:
        raise Http404
    return render(request, "exports/dictionary.html", {"dataset": dataset})


def stream(request, dataset, filters, applied, within=None):
    """The CSV response. Logged when it starts (who, what, which filters, from where) and
    when it ends — completed, or interrupted — with the lines sent."""
    access = access_for(request.user)
    parts = [dataset.name] + [
        slugify(f"{k}-{v}") for k, v in sorted(applied.items()) if k != "personal"
    ]
    if filters.personal:  # said in the file's name: it holds names of people
        parts.append("donnees-personnelles")
    filename = "-".join(parts)[:150] + ".csv"
    who = request.user.get_username() if request.user.is_authenticated else "-"
    where = client_address(request) or "?"
    logger.info(
        "export-start dataset=%s user=%s ip=%s filters=%s", dataset.name, who, where, applied
    )

    def logged(chunks):
        lines, outcome = 0, "interrupted"
        try:
            for chunk in chunks:
                lines += chunk.count(b"\n")
                yield chunk
            outcome = "complete"
        finally:
            logger.info(
                "export dataset=%s user=%s ip=%s filters=%s lines=%s %s",
                dataset.name,
                who,
                where,
                applied,
                lines,
                outcome,
            )

    response = StreamingHttpResponse(
        logged(rows(dataset, access, filters, within=within)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def refused(errors) -> HttpResponse:
    text = "; ".join(str(e) for field in errors.values() for e in field)
    return HttpResponse(
        _("Filtre refusé : %(errors)s") % {"errors": text},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def download(request, name):
    """The dataset as CSV, streamed; 400 with a French message for a bad filter."""
    dataset = DATASETS.get(name)
    if dataset is None:
        raise Http404
    form = FilterForm(request.GET)
    if not form.is_valid():
        return refused(form.errors)
    filters = form.filters(dataset)
    if filters.personal and not exports_names(access_for(request.user)):
        return HttpResponse(
            _("Les noms ne sont exportés que pour les agents habilités à les lire."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return stream(request, dataset, filters, filters.applied)


def _directory(request):
    access = access_for(request.user)
    return BodyFilter(request.GET, queryset=bodies_with_status(Body.objects.visible_to(access)))


def _commitments(request):
    return CommitmentFilter(request.GET, queryset=Commitment.objects.all())


# A list page's rows as the dataset they come from: the same FilterSet as the page.
LISTS = {
    "directory": (DATASETS["bodies"], _directory),
    "commitments-list": (DATASETS["commitments"], _commitments),
}


def list_download(request, name):
    """The rows a list page shows (the directory, the commitments list), with its filters,
    as the dataset's CSV."""
    dataset, filterset = LISTS[name]
    filterset = filterset(request)
    if not filterset.is_valid():
        return refused(filterset.errors)
    applied = {k: v for k, v in request.GET.items() if k in filterset.filters and v}
    return stream(request, dataset, Filters(), applied, within=filterset.qs)


def datapackage(request):
    return JsonResponse(
        package.descriptor(request.build_absolute_uri("/exports/")),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def dump_file(request, day):
    """The dump of a given day, streamed from the file `manage.py export_dump` wrote."""
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    path = dump.path_for(day)
    if not path.exists():
        raise Http404
    logger.info(
        "export dataset=dump day=%s user=%s",
        day,
        request.user.get_username() if request.user.is_authenticated else "-",
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
