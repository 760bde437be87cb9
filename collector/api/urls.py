"""URLs of this app's API: the staff alerts API, mounted under /api/admin/."""
from django.urls import path

from . import views

subscriptions = views.AlertSubscriptionViewSet
deliveries = views.AlertDeliveryViewSet

urlpatterns = [
    path("alerts/subscriptions", subscriptions.as_view({"get": "list", "post": "create"}),
         name="alert-subscriptions"),
    path("alerts/subscriptions/<int:pk>", subscriptions.as_view(
        {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="alert-subscription-detail"),
    path("alerts/events", views.AlertEventViewSet.as_view({"get": "list"}), name="alert-events"),
    path("alerts/deliveries", deliveries.as_view({"get": "list"}), name="alert-deliveries"),
    path("alerts/deliveries/<int:pk>", deliveries.as_view({"get": "retrieve"}), name="alert-delivery-detail"),
    path("alerts/deliveries/<int:pk>/retry", deliveries.as_view({"post": "retry"}), name="alert-delivery-retry"),
]
