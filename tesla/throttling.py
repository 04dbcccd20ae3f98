"""Throttles for the endpoints that check credentials (`/auth/login`, `/auth/approle`).

They are DRF rate throttles over Django's cache, which every worker shares (the database cache
by default, Redis with `REDIS_URL`). Two keys are counted per endpoint: the account tried (the
e-mail or role_id) and the client address. Each refused credential counts; a successful one is
taken back, so users who log in often are never throttled. Once a key holds the limit of
attempts within the window, further attempts are refused with 429 and `Retry-After` before any
password is hashed.

Attempts are checked for every key first and recorded only when none refuses, so an address
that is already blocked cannot go on spending the attempts of accounts it names.
"""

import hashlib
import math
from collections.abc import Sequence

from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class CredentialAttemptThrottle(SimpleRateThrottle):
    """Counts attempts at one credential key within the window; see the module docstring."""

    # Set by SimpleRateThrottle.__init__ from the rate (the stubs leave them out); read only
    # when there is a rate, and then both are whole numbers.
    num_requests: int
    duration: int

    def allow_request(self, request, view) -> bool:
        """Whether the key still has attempts left. Unlike DRF's throttles this only looks:
        `record()` counts the attempt once every throttle of the view agreed."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.history = [
            moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration
        ]
        return len(self.history) < self.num_requests

    def record(self) -> None:
        if self.rate is not None and self.key is not None:
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)

    def forgive(self) -> None:
        """Take back this request's attempt: the credentials were right."""
        if self.rate is None or self.key is None:
            return
        history = self.cache.get(self.key, [])
        if self.now in history:
            history.remove(self.now)
            self.cache.set(self.key, history, self.duration)


class AccountThrottle(CredentialAttemptThrottle):
    """Attempts per account; the view names the body field that says which account
    (`throttle_account_field`)."""

    def get_cache_key(self, request, view):
        data = request.data if isinstance(request.data, dict) else {}
        account = data.get(view.throttle_account_field)
        if not isinstance(account, str) or not account:
            return None
        # Hashed: keys stay short and printable whatever the client sends.
        ident = self._hash(account.strip().lower())
        return self.cache_format % {"scope": f"{view.throttle_scope}-account", "ident": ident}

    @staticmethod
    def _hash(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()

    def get_rate(self):
        return self.THROTTLE_RATES.get("credentials")


class AddressThrottle(CredentialAttemptThrottle):
    """Attempts per client address (REMOTE_ADDR, or the address `NUM_PROXIES` trusted
    proxies put in X-Forwarded-For)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": f"{view.throttle_scope}-address",
            "ident": self.get_ident(request),
        }

    def get_rate(self):
        return self.THROTTLE_RATES.get("credentials")


class CredentialThrottledMixin(APIView):
    """For a view that checks credentials: refuse before any hashing when a key is spent, and
    let the view call `credentials_accepted()` to take its attempt back."""

    throttle_classes: Sequence[type[CredentialAttemptThrottle]] = [AccountThrottle, AddressThrottle]
    throttle_scope: str = ""
    throttle_account_field: str = ""
    _credential_throttles: list[CredentialAttemptThrottle]

    def check_throttles(self, request):
        self._credential_throttles = [throttle() for throttle in self.throttle_classes]
        waits = [
            throttle.wait()
            for throttle in self._credential_throttles
            if not throttle.allow_request(request, self)
        ]
        if waits:
            self.throttled(request, max(1, math.ceil(max(wait or 0 for wait in waits))))
        for throttle in self._credential_throttles:
            throttle.record()

    def credentials_accepted(self) -> None:
        for throttle in getattr(self, "_credential_throttles", ()):
            throttle.forgive()
