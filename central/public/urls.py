"""Public URLs (no login): the directory and the HSDS 3.0 open data. Mounted at the site
root by central/urls.py."""

from django.urls import path, re_path

from central.public import hsds_views, pages

urlpatterns = [
    path("directory/", pages.directory, name="public-directory"),
    path("directory/near", pages.near, name="public-near"),
    re_path(r"^directory/(?P<public_id>sp-\d{1,12})$", pages.point_page, name="public-point"),
    path("hsds/", hsds_views.root, name="hsds-root"),
    path("hsds/services", hsds_views.services, name="hsds-services"),
    path("hsds/services/<str:id>", hsds_views.service, name="hsds-service"),
    path("hsds/organizations", hsds_views.organizations, name="hsds-organizations"),
    path("hsds/organizations/<str:id>", hsds_views.organization, name="hsds-organization"),
    path("hsds/service_at_locations", hsds_views.service_at_locations, name="hsds-sals"),
    path("hsds/service_at_locations/<str:id>", hsds_views.service_at_location, name="hsds-sal"),
    path("hsds/bulk.zip", hsds_views.bulk, name="hsds-bulk"),
]
