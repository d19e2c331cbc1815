from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, str]:
    """The service's and council's names for the header and page titles."""
    return {"service_name": settings.SERVICE_NAME, "council_name": settings.COUNCIL_NAME}
