"""Which HTTP proxy the client uses, read from the environment as Go's net/http reads it.

Terraform and the official Okta provider are Go programs, so users' proxy settings are written
for Go's rules: HTTPS_PROXY (or https_proxy) names the proxy for https:// URLs, and a value
without a scheme means http://; NO_PROXY (or no_proxy) lists hosts, domains (a leading dot
optional), host:port pairs or `*` to reach directly; loopback hosts are never proxied. ALL_PROXY,
which Go ignores, is ignored here too. httpx reads these variables only for a transport it
builds itself, and this client builds its own, so the proxy is chosen here and passed on.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from provider.okta.org_url import host_problem, is_loopback, split_url

SUPPORTED_SCHEMES = ("http", "https")


class InvalidProxy(ValueError):
    """The proxy variable names a proxy the client cannot use; the message says which and why."""


def _first(environ: Mapping[str, str], *names: str) -> tuple[str, str]:
    for name in names:
        if environ.get(name):
            return name, environ[name]
    return names[0], ""


def environment_proxy(org_url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy URL for calls to `org_url`, or None to connect directly."""
    parts = urlsplit(org_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or is_loopback(host):
        return None  # plain http:// is only ever allowed for loopback hosts
    variable, proxy = _first(environ, "HTTPS_PROXY", "https_proxy")
    if not proxy:
        return None
    _, no_proxy = _first(environ, "NO_PROXY", "no_proxy")
    if no_proxy:
        import urllib.request  # only here: it costs start-up time that most processes never need

        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(f"{host}:{parts.port or 443}", {"no": no_proxy}):
            return None
    return proxy_url(proxy, variable)


def proxy_url(value: str, source: str) -> str:
    """`value` as a proxy URL (http:// when it has no scheme); InvalidProxy names `source`.

    Messages never repeat the value, which may hold the proxy's password.
    """
    proxy = value.strip()
    if "://" not in proxy:
        proxy = f"http://{proxy}"
    split = split_url(proxy)
    if isinstance(split, str):
        raise InvalidProxy(f"{source} is invalid: {split}.")
    parts, _ = split
    scheme = parts.scheme.lower()
    if scheme not in SUPPORTED_SCHEMES:
        raise InvalidProxy(
            f"{source} names a {scheme}:// proxy; the provider supports http:// and https:// proxies."
        )
    if not parts.hostname:
        raise InvalidProxy(f"{source} names no proxy host.")
    reason = host_problem(parts.hostname.lower()) or _transport_problem(proxy)
    if reason is not None:
        raise InvalidProxy(f"{source} is invalid: {reason}.")
    return proxy


def _transport_problem(proxy: str) -> str | None:
    """Why httpx would refuse `proxy` when the client builds its transport, or None.

    This builds from the URL what httpx.HTTPTransport builds (its Proxy, the httpcore URL of the
    proxy and the credentials as bytes), so that whatever httpx refuses is refused here, at
    validation, rather than in the middle of an operation. httpx's messages quote the URL's
    parts, which may hold the password: none is repeated. httpx is imported here, only when a
    proxy is configured: validation and planning otherwise never load it (start-up time).
    """
    import httpcore
    import httpx

    try:
        built = httpx.Proxy(url=proxy)
        httpcore.URL(
            scheme=built.url.raw_scheme,
            host=built.url.raw_host,
            port=built.url.port,
            target=built.url.raw_path,
        )
        _ = built.raw_auth
    except Exception:  # whatever httpx raises, the value is one it cannot use
        return (
            "the HTTP client cannot use it as a proxy URL: check the brackets around an IPv6 "
            "address and the port (in a user name or password, write / ? # [ ] @ : % percent-encoded)"
        )
    return None
