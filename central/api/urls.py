from django.urls import path, re_path

from central.api import views

# The sync calls first: URLs are tried in order, and these are nearly every request.
urlpatterns = [
    path("v1/kiosk/heartbeat", views.kiosk_heartbeat, name="api-heartbeat"),
    path("v1/kiosk/ratings", views.kiosk_ratings, name="api-ratings"),
    path("v1/kiosk/catalogue", views.kiosk_catalogue, name="api-catalogue"),
    path("v1/kiosks/enroll", views.enroll, name="api-enroll"),
    path("v1/openapi.json", views.openapi, name="api-openapi"),
    re_path(r"^.*$", views.not_found),
]
