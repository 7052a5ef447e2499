"""Thread-safe in-memory model of an emulated Okta org.

Holds the apps and their default provisioning connections, the journal of requests the emulator
answered, the `/api/v1/apps/*` rate-limit bucket and concurrency limit, the queue of injected
faults (`okta_emulator.faults`) and the OAuth service apps and access tokens
(`okta_emulator.oauth`). Everything here is plain data and locking; HTTP concerns live in
`okta_emulator.server`.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from okta_emulator.faults import Fault, FaultKind, FaultQueue
from okta_emulator.features import FeatureSettings
from okta_emulator.oauth import AuthorizationServer, ServiceApp

TOKEN = "TOKEN"
OAUTH2 = "OAUTH2"
UNKNOWN = "UNKNOWN"
ENABLED = "ENABLED"
DISABLED = "DISABLED"

_ID_ALPHABET = string.ascii_letters + string.digits
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class AppKind(StrEnum):
    """The kinds of app the emulator knows, named like Okta's app names."""

    ORG2ORG = "org2org"
    ZSCALERBYZ = "zscalerbyz"
    OFFICE365 = "office365"
    GOOGLE = "google"
    SLACK = "slack"
    ZOOMUS = "zoomus"
    UNSUPPORTED = "unsupported"

    @property
    def auth_schemes(self) -> tuple[str, ...]:
        """Authentication schemes the app's connection accepts, the default first."""
        if self is AppKind.ORG2ORG:
            return (TOKEN, OAUTH2)
        if self is AppKind.ZSCALERBYZ:
            return (TOKEN,)
        if self is AppKind.UNSUPPORTED:
            return ()
        return (OAUTH2,)

    @property
    def supports_provisioning(self) -> bool:
        """Whether the app has a provisioning connection at all."""
        return bool(self.auth_schemes)

    @property
    def default_auth_scheme(self) -> str:
        """The scheme a never-configured connection reports (UNKNOWN without provisioning)."""
        return self.auth_schemes[0] if self.auth_schemes else UNKNOWN

    @property
    def needs_consent(self) -> bool:
        """Whether an OAuth connection is completed through the admin-consent flow."""
        return self in (AppKind.OFFICE365, AppKind.GOOGLE, AppKind.SLACK, AppKind.ZOOMUS)


class ConsentError(Exception):
    """Raised when Okta would refuse a consent step; `cause` says which field and why."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class UnknownAppError(KeyError):
    """Raised for an app id the org does not hold."""

    def __init__(self, app_id: str) -> None:
        super().__init__(app_id)
        self.app_id = app_id


@dataclass(frozen=True)
class ConnectionSnapshot:
    """A consistent copy of one app's default provisioning connection.

    `profile` is the profile exactly as last POSTed, secrets included; it is empty until the
    connection is configured, and left out of `repr` so secrets stay out of test reports.
    `auth_scheme` is the configured scheme, or the kind's default.
    """

    app_id: str
    kind: AppKind
    configured: bool
    status: str
    auth_scheme: str
    base_url: str | None
    profile: dict[str, object] = field(repr=False)
    consent_verified: bool
    consent_state: str | None


@dataclass(frozen=True)
class JournalEntry:
    """One answered `/api/v1` or `/oauth2/v1/token` request; secrets are already redacted.

    `fault` names the injected fault the request met, if any; `status` is what the client saw,
    0 when the connection was dropped without an answer.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    body: dict[str, object] | None
    request_id: str
    fault: str | None = None

    def to_json(self) -> dict[str, object]:
        """The entry as the admin API reports it."""
        return {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "status": self.status,
            "body": copy.deepcopy(self.body),
            "requestId": self.request_id,
            "fault": self.fault,
        }


@dataclass(frozen=True)
class RateLimitState:
    """The bucket as seen by one request: what the X-Rate-Limit-* headers report."""

    allowed: bool
    limit: int
    remaining: int
    reset: int


class RateLimiter:
    """A fixed-window request budget shared by every `/api/v1/apps/*` request.

    A window opens with the first request after the previous one ended and lasts
    `window_seconds`; `reset` is the UTC epoch second at which it ends.
    """

    def __init__(self, limit: int, window_seconds: int = 60, clock: Callable[[], float] = time.time) -> None:
        _check_limits(limit, window_seconds)
        self._lock = threading.Lock()
        self._clock = clock
        self._limit = limit
        self._window_seconds = window_seconds
        self._used = 0
        self._reset = 0

    @property
    def limit(self) -> int:
        """Requests allowed per window."""
        return self._limit

    @property
    def window_seconds(self) -> int:
        """Length of a window."""
        return self._window_seconds

    def configure(self, *, limit: int | None = None, window_seconds: int | None = None) -> None:
        """Change the budget or the window length; the current window is discarded."""
        with self._lock:
            new_limit = self._limit if limit is None else limit
            new_window = self._window_seconds if window_seconds is None else window_seconds
            _check_limits(new_limit, new_window)
            self._limit = new_limit
            self._window_seconds = new_window
            self._used = 0
            self._reset = 0

    def reset(self) -> None:
        """Discard the current window, so the next request starts a full one."""
        with self._lock:
            self._used = 0
            self._reset = 0

    def take(self) -> RateLimitState:
        """Spend one request from the bucket if any is left."""
        with self._lock:
            self._roll()
            allowed = self._used < self._limit
            if allowed:
                self._used += 1
            return self._state(allowed)

    def peek(self) -> RateLimitState:
        """The bucket's state without spending from it."""
        with self._lock:
            self._roll()
            return self._state(self._used < self._limit)

    def _roll(self) -> None:
        now = self._clock()
        if now >= self._reset:
            self._used = 0
            self._reset = int(now) + self._window_seconds

    def _state(self, allowed: bool) -> RateLimitState:
        return RateLimitState(
            allowed=allowed,
            limit=self._limit,
            remaining=max(self._limit - self._used, 0),
            reset=self._reset,
        )


class ConcurrencyLimiter:
    """Okta's limit on concurrent `/api/v1/apps/*` requests; `limit` None means unlimited.

    A request over the limit is refused and does not count as in flight.
    """

    def __init__(self, limit: int | None = None) -> None:
        _check_concurrency_limit(limit)
        self._lock = threading.Lock()
        self._limit = limit
        self._in_flight = 0

    @property
    def limit(self) -> int | None:
        """Requests allowed in flight at once, or None for no limit."""
        return self._limit

    @limit.setter
    def limit(self, value: int | None) -> None:
        _check_concurrency_limit(value)
        with self._lock:
            self._limit = value

    @property
    def in_flight(self) -> int:
        """Admitted requests not yet answered."""
        with self._lock:
            return self._in_flight

    def acquire(self) -> bool:
        """Admit a request unless the limit is reached; an admitted one must be `release`d."""
        with self._lock:
            if self._limit is not None and self._in_flight >= self._limit:
                return False
            self._in_flight += 1
            return True

    def release(self) -> None:
        """Count an admitted request as answered."""
        with self._lock:
            self._in_flight -= 1


def _check_concurrency_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"concurrency limit must be 0 or more, got {limit}")


def _check_limits(limit: int, window_seconds: int) -> None:
    if limit < 0:
        raise ValueError(f"rate limit must be 0 or more, got {limit}")
    if window_seconds < 1:
        raise ValueError(f"rate-limit window must be at least 1 second, got {window_seconds}")


@dataclass
class _App:
    app_id: str
    kind: AppKind
    status: str
    configured: bool = False
    auth_scheme: str | None = None
    base_url: str | None = None
    profile: dict[str, object] = field(default_factory=dict)
    consent_verified: bool = False
    consent_state: str | None = None
    consent_codes: dict[str, str] = field(default_factory=dict)  # issued, unspent code -> its state

    @property
    def awaits_consent(self) -> bool:
        """Whether the connection cannot be enabled until an administrator's consent is verified."""
        return self.kind.needs_consent and not self.consent_verified

    def snapshot(self) -> ConnectionSnapshot:
        return ConnectionSnapshot(
            app_id=self.app_id,
            kind=self.kind,
            configured=self.configured,
            status=self.status,
            auth_scheme=self.auth_scheme or self.kind.default_auth_scheme,
            base_url=self.base_url,
            profile=copy.deepcopy(self.profile),
            consent_verified=self.consent_verified,
            consent_state=self.consent_state,
        )


def new_app_id() -> str:
    """An id shaped like Okta's app ids: `0oa` and 17 letters or digits."""
    return "0oa" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


class Store:
    """The emulated org. Every method is safe to call from any thread.

    `activate_in_post` models whether the org honours `?activate=true` on the update POST;
    set it to False to emulate an org that ignores it. `oauth` is the org's authorization
    server; the service-app and access-token methods here are shortcuts to it.
    """

    def __init__(
        self,
        rate_limit_per_minute: int = 600,
        concurrency_limit: int | None = None,
        token_ttl_seconds: int = 3600,
    ) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, _App] = {}
        self._journal: list[JournalEntry] = []
        self.rate_limiter = RateLimiter(rate_limit_per_minute)
        self.concurrency_limiter = ConcurrencyLimiter(concurrency_limit)
        self.oauth = AuthorizationServer(token_ttl_seconds)
        self.activate_in_post = True
        self._faults = FaultQueue()
        self.features = FeatureSettings()
        self._in_flight = 0
        self._peak_in_flight = 0

    def add_app(self, kind: AppKind | str, app_id: str | None = None) -> str:
        """Create an app with a never-configured connection and return its id.

        Raises ValueError for an unknown kind, a malformed id or an id already in use.
        """
        app_kind = AppKind(kind)
        if app_id is not None and not _ID_PATTERN.fullmatch(app_id):
            raise ValueError("must be 1 to 64 letters, digits, '-' or '_'")
        with self._lock:
            if app_id is None:
                app_id = new_app_id()
                while app_id in self._apps:
                    app_id = new_app_id()
            elif app_id in self._apps:
                raise ValueError(f"an app with id {app_id} already exists")
            status = DISABLED if app_kind.supports_provisioning else UNKNOWN
            self._apps[app_id] = _App(app_id=app_id, kind=app_kind, status=status)
            return app_id

    def delete_app(self, app_id: str) -> None:
        """Remove an app; its id then answers 404."""
        with self._lock:
            if self._apps.pop(app_id, None) is None:
                raise UnknownAppError(app_id)
        self.features.forget(app_id)

    def apps(self) -> list[tuple[str, AppKind]]:
        """Every app as (id, kind), in creation order."""
        with self._lock:
            return [(app.app_id, app.kind) for app in self._apps.values()]

    def kind(self, app_id: str) -> AppKind:
        """The kind of an app."""
        with self._lock:
            return self._get(app_id).kind

    def connection(self, app_id: str) -> ConnectionSnapshot:
        """A snapshot of an app's connection, secrets included."""
        with self._lock:
            return self._get(app_id).snapshot()

    def set_status(self, app_id: str, status: str) -> ConnectionSnapshot:
        """Switch a connection ENABLED or DISABLED (lifecycle calls and out-of-band drift)."""
        if status not in (ENABLED, DISABLED):
            raise ValueError(f"status must be {ENABLED} or {DISABLED}, got {status!r}")
        with self._lock:
            app = self._get(app_id)
            if not app.kind.supports_provisioning:
                raise ValueError("provisioning is not supported by this application")
            app.status = status
            return app.snapshot()

    def configure(
        self, app_id: str, base_url: str | None, profile: Mapping[str, object], activate: bool | None
    ) -> ConnectionSnapshot:
        """Store a validated update POST and apply its `activate` query parameter.

        `activate` True enables (unless `activate_in_post` is False, or the app still awaits
        consent: the configuration is stored and the connection stays as it was), False
        disables, None leaves the status alone. A changed OAuth configuration of a consent app
        needs consent again and gets a fresh `state`; codes issued before are void.
        """
        scheme = profile.get("authScheme")
        if not isinstance(scheme, str):
            raise ValueError("profile.authScheme must be a string")
        with self._lock:
            app = self._get(app_id)
            if scheme not in app.kind.auth_schemes:
                raise ValueError(f"{scheme} is not supported by this application")
            new_profile = copy.deepcopy(dict(profile))
            changed = (
                not app.configured
                or app.auth_scheme != scheme
                or app.base_url != base_url
                or app.profile != new_profile
            )
            app.configured = True
            app.auth_scheme = scheme
            app.base_url = base_url
            app.profile = new_profile
            if app.kind.needs_consent and scheme == OAUTH2:
                if changed or app.consent_state is None:
                    app.consent_verified = False
                    app.consent_state = secrets.token_urlsafe(16)
                    app.consent_codes.clear()
            else:
                app.consent_verified = False
                app.consent_state = None
                app.consent_codes.clear()
            if activate is True and self.activate_in_post and not app.awaits_consent:
                app.status = ENABLED
            elif activate is False:
                app.status = DISABLED
            return app.snapshot()

    def activate(self, app_id: str) -> ConnectionSnapshot:
        """The lifecycle activate: ConsentError while a consent app awaits consent, as at Okta."""
        with self._lock:
            app = self._get(app_id)
            if not app.kind.supports_provisioning:
                raise ValueError("provisioning is not supported by this application")
            if app.awaits_consent:
                raise ConsentError(
                    "connection: the administrator's OAuth 2.0 consent has not been verified: open "
                    "_links.authorize.href, then send the code and state to the OAuth callback"
                )
            app.status = ENABLED
            return app.snapshot()

    def issue_consent_code(self, app_id: str, state: str) -> str:
        """What the vendor does once an administrator consents: a one-time code for `state`."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            app = self._get(app_id)
            if not app.kind.needs_consent:
                raise ValueError(f"{app.kind.value} apps have no OAuth consent")
            app.consent_codes[code] = state
        return code

    def verify_consent(self, app_id: str, code: str, state: str) -> ConnectionSnapshot:
        """The OAuth callback: accept a code once, with the `state` of the consent awaited.

        Raises ConsentError when the state is not the one the connection's authorize link
        carries, or the code was not issued for it or is spent; a refused state spends nothing.
        """
        with self._lock:
            app = self._get(app_id)
            awaited = app.consent_state
            if awaited is None or not secrets.compare_digest(state.encode(), awaited.encode()):
                raise ConsentError("state: does not match the consent this application awaits")
            if app.consent_codes.get(code) != state:
                raise ConsentError("code: was not issued for this consent, or was already used")
            del app.consent_codes[code]
            app.consent_verified = True
            return app.snapshot()

    def record(self, entry: JournalEntry) -> None:
        """Append an answered request to the journal."""
        with self._lock:
            self._journal.append(entry)

    def requests(self) -> list[JournalEntry]:
        """The journal, oldest first."""
        with self._lock:
            return list(self._journal)

    def clear_requests(self) -> None:
        """Empty the journal and reset the peak of concurrent requests."""
        with self._lock:
            self._journal.clear()
            self._peak_in_flight = self._in_flight

    def request_started(self) -> None:
        """Count an `/api/v1` request being answered (to measure client concurrency)."""
        with self._lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)

    def request_finished(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def peak_in_flight(self) -> int:
        """The most `/api/v1` requests answered at once since the journal was last cleared."""
        with self._lock:
            return self._peak_in_flight

    def count_status(self, status: int) -> int:
        """How many journaled requests were answered with `status`."""
        with self._lock:
            return sum(1 for entry in self._journal if entry.status == status)

    def inject(
        self,
        kind: FaultKind | str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        status: int | None = None,
        reset_in: float | None = None,
        rate_limit_headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Make the next `count` matching `/api/v1` requests fail as `kind` says.

        `method` None matches any method; `path` matches when it is a suffix of the request
        path, None any path. Faults apply first-in first-out among the matching ones. `status`
        is the status of a "status" fault; `reset_in` the seconds until the reset a 429 status
        fault advertises (default 1), or the delay of a "slow" one. `rate_limit_headers` maps
        `limit`, `remaining` and `reset` to the exact `X-Rate-Limit-*` text a
        "rate_limit_headers" fault or a 429 status fault sends. Raises FaultError (a ValueError)
        for a value out of bounds or a combination that makes no sense.
        """
        fault = Fault.create(
            kind,
            method=method,
            path=path,
            status=status,
            reset_in=reset_in,
            rate_limit_headers=rate_limit_headers,
        )
        self._faults.add(fault, count)
        return fault

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Use up the oldest injected fault matching a request, if any."""
        return self._faults.take(method, path)

    def pending_faults(self) -> int:
        """How many more requests the injected faults will hit."""
        return self._faults.pending()

    def clear_faults(self) -> None:
        """Drop every injected fault not yet used."""
        self._faults.clear()

    def add_service_app(
        self,
        client_id: str,
        public_key_pem: bytes | str,
        scopes: Sequence[str],
        key_id: str | None = None,
    ) -> ServiceApp:
        """Register an OAuth service app (see `AuthorizationServer.add_service_app`)."""
        return self.oauth.add_service_app(client_id, public_key_pem, scopes, key_id)

    def add_access_token(self, token: str, scopes: Sequence[str], ttl_seconds: int = 3600) -> None:
        """Accept a pre-issued Bearer access token with `scopes` for `ttl_seconds`."""
        self.oauth.add_access_token(token, scopes, ttl_seconds)

    def expire_access_tokens(self) -> None:
        """Make every access token granted or added so far expired."""
        self.oauth.expire_access_tokens()

    @property
    def tokens_issued(self) -> int:
        """How many access tokens the token endpoint has granted."""
        return self.oauth.tokens_issued

    def issued_token_values(self) -> list[str]:
        """Every access token the token endpoint granted, oldest first (to check for leaks)."""
        return self.oauth.issued_token_values()

    def _get(self, app_id: str) -> _App:
        app = self._apps.get(app_id)
        if app is None:
            raise UnknownAppError(app_id)
        return app
