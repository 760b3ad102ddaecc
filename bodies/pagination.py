from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, object_list, per_page: int | None = None) -> Page:
    """The requested page (an invalid or out-of-range number gives the nearest valid page),
    with the elided page list the DSFR pagination component expects."""
    paginator = Paginator(object_list, per_page or settings.PAGE_SIZE)
    try:
        number = max(1, int(request.GET.get("page", "")))  # 0 or -1: the first page
    except ValueError:
        number = 1
    page = paginator.get_page(number)
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
