"""Throttles for the endpoints that check credentials (`/auth/login`, `/auth/approle`).

They are DRF rate throttles over Django's cache, which every worker shares (the database cache
by default, Redis with `REDIS_URL`). Two keys are counted per endpoint: the account tried (the
e-mail or role_id) and the client address. Only refused credentials count, so users and modules
that log in often are never throttled, and a successful login costs two cache reads and no
write. Once a key holds the limit of failures within the window, further attempts are refused
with 429 and `Retry-After` before any password is hashed.

Every key is checked before the credentials are, so an address that is already blocked cannot
go on spending the attempts of accounts it names. With sync workers a key can overshoot its
limit by at most the requests in flight when it is reached.
"""

import hashlib
import math
from collections.abc import Sequence

from rest_framework.response import Response
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
        `record()` counts the attempt once the credentials were refused."""
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
    count the attempt when the view answers `credentials_refused()`."""

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

    def credentials_refused(self, answer: Response) -> Response:
        """`answer` (the view's refusal), once the attempt is counted against the account and
        the address."""
        for throttle in getattr(self, "_credential_throttles", ()):
            throttle.record()
        return answer
