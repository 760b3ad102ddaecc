from django.db.models import Count
from django.shortcuts import render

from bodies.models import Body


def home(request):
    counts = dict(
        Body.objects.active()
        .order_by()
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
    )
    types = [(label, counts.get(value, 0)) for value, label in Body.Type.choices]
    return render(request, "home.html", {"type_counts": types, "total": sum(counts.values())})
