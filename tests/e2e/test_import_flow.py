"""The administration's export and import in a real browser, under the site's
Content-Security-Policy: « Tout cocher » works (a static script; the library's inline handler
was blocked), the format follows the file's extension, the preview then the confirmation
import the file, and the browser reports no CSP violation on the way."""

from bodies.models import Membership
from tests import factories
from tests.e2e.conftest import ARTIFACTS, BROWSER

pytestmark = BROWSER


def test_prefecture_exports_then_imports_memberships_in_a_browser(
    world, server, browser_page, tmp_path
):
    newcomer = factories.person("Nouvelle", "Recrue", created_by=world.users["prefecture"])
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", "prefecture38")
    page.fill("#id_password", "x")  # the world's users sign in with « x »
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{server.url}/admin/bodies/membership/export/")
    columns = page.locator(".selectable-field-export-row input[type=checkbox]:not(.select-toggle)")
    assert columns.count() >= 10
    toggle = page.locator("input.select-toggle")
    toggle.uncheck()
    assert all(not box.is_checked() for box in columns.all())
    toggle.check()
    assert all(box.is_checked() for box in columns.all())
    columns.first.uncheck()
    assert not toggle.is_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-export.png"), full_page=True)

    upload = tmp_path / "membres.csv"
    upload.write_text(
        "instance;personne;institution;role;debut\n"
        f"{world.body_a.name};Nouvelle Recrue;Ville de Grenoble;appointed;01/03/2024\n",
        encoding="utf-8-sig",
    )
    page.goto(f"{server.url}/admin/bodies/membership/import/")
    page.set_input_files("#id_import_file", str(upload))
    assert page.locator("#id_format").input_value() == "0"  # guessed from « .csv »
    page.click("#content input[type=submit]")
    page.wait_for_selector("text=Aperçu")
    page.screenshot(path=str(ARTIFACTS / "admin-import-preview.png"), full_page=True)
    page.click("input[name=confirm]")
    page.wait_for_selector("text=Importation terminée")
    assert Membership.objects.get(person=newcomer).body == world.body_a
    assert violations == []
