from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions import urls as actions_urls
from bodies import urls as bodies_app_urls

from . import dashboards, views
from .exports import views as exports

# Pages that gather several apps are declared here, in their app's namespace: the body page
# (members, meetings, commitments, plans) and the action page (the commitments serving it).
bodies_urls = (
    [
        path("", views.body_list, name="body-list"),
        path("<int:pk>/", views.body_detail, name="body-detail"),
        *bodies_app_urls.urlpatterns,
    ],
    "bodies",
)
actions_pages = (
    [
        *actions_urls.urlpatterns,
        path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    ],
    "actions",
)

dashboard_urls = (
    [
        path("", dashboards.national_overview, name="national"),
        path("<str:code>/", dashboards.county_dashboard, name="county"),
    ],
    "dashboard",
)

exports_urls = (
    [
        path("", exports.catalogue, name="catalogue"),
        path("datapackage.json", exports.datapackage, name="datapackage"),
        path("registre-<str:day>.zip", exports.dump_file, name="dump"),
        path("directory.csv", exports.list_download, {"name": "directory"}, name="directory"),
        path(
            "commitments-list.csv",
            exports.list_download,
            {"name": "commitments-list"},
            name="commitments-list",
        ),
        path("<slug:name>.csv", exports.download, name="download"),
        path("<slug:name>/", exports.dictionary, name="dictionary"),
    ],
    "exports",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include(dashboard_urls)),
    path("accounts/welcome/", dashboards.after_login, name="after-login"),
    path("my/", dashboards.workspace, name="workspace"),
    path("exports/", include(exports_urls)),
    path("oparl/v1/", include("partnerships.oparl.urls")),
    path("bodies/", include(bodies_urls)),
    path("", include("meetings.urls")),
    path("", include(actions_pages)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("mail.urls")),
    # Django's language switch, which also records a signed-in user's choice as the language
    # of its e-mails.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "partnerships.errors.bad_request"
handler404 = "partnerships.errors.not_found"
handler500 = "partnerships.errors.server_error"
handler403 = "partnerships.views.permission_denied"
