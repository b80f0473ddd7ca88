"""Facts about the HTTP request that several apps need, decided once."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost of ours saw. Used by django-axes (login lockout) and every throttle."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
        if forwarded:
            return forwarded[0]
    return request.META.get("REMOTE_ADDR", "")


def client_ip_key(group, request) -> str:
    """client_ip as a django-ratelimit key."""
    return client_ip(request)
