"""The test settings turn a typo in one of the registry's templates into a failure."""

import pytest
from django.template.loader import get_template, render_to_string


def test_undefined_variable_in_a_registry_template_fails():
    # The breadcrumb needs `current`: without it, the page would show an empty last step.
    with pytest.raises(NameError, match="current"):
        get_template("partials/breadcrumb.html").render({})


def test_tags_that_test_a_variable_stay_silent():
    html = render_to_string("partials/breadcrumb.html", {"current": "Saisie des mesures"})
    assert "Saisie des mesures" in html
    assert "fr-breadcrumb__link" in html  # no `body`, `plan` or `action`: their steps left out
    assert html.count("<li>") == 3  # home, directory, current page
