"""Public endpoints that take data away: file exports and paid-queue price history."""
from django.urls import re_path

from .exports import DailyStatsExportView, ObservationExportView
from .paid_queue import ParkPaidQueueView, RidePaidQueueView

urlpatterns = [
    re_path(r"^export/observations/?$", ObservationExportView.as_view(), name="export-observations"),
    re_path(r"^export/daily-stats/?$", DailyStatsExportView.as_view(), name="export-daily-stats"),
    re_path(r"^rides/(?P<pk>[0-9]+)/paid-queue/?$", RidePaidQueueView.as_view(), name="ride-paid-queue"),
    re_path(r"^parks/(?P<pk>[0-9]+)/paid-queue/?$", ParkPaidQueueView.as_view(), name="park-paid-queue"),
]
