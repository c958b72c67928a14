"""Open311 GeoReport v2, under /open311/v2/ (the station is the ``jurisdiction_id`` parameter)."""

from django.urls import re_path

from . import open311

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[-\w]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.request_list, name="requests"),
    re_path(r"^requests/(?P<request_id>[0-9A-Za-z]+)" + FMT, open311.request_detail, name="request"),
]
