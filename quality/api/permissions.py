"""Staff-only access for the admin API: 401 without credentials, 403 for non-staff users.

Token authentication comes first so an anonymous request gets a `WWW-Authenticate: Token`
challenge, which is what makes DRF answer 401 rather than 403."""
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAdminUser


class StaffOnly:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAdminUser]
