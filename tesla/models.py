"""Building blocks shared by the domain apps: timestamps, machine credentials, revoked tokens."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models

# Stored form of a module secret: "hmac-sha256$<hex digest>". Rows written before it hold a
# Django password hash ("pbkdf2_sha256$..."), verified once and then rewritten in this form.
SECRET_HASH_PREFIX = "hmac-sha256$"


def secret_digest(secret_id: str) -> str:
    """The keyed hash kept for a module secret.

    A secret_id is 256 random bits, so no dictionary or brute-force attack applies to it and a
    slow password hash buys nothing: one HMAC-SHA-256 under a server key (`CREDENTIALS_HMAC_KEY`)
    makes a stolen table useless without the key, at microseconds per login."""
    key = settings.CREDENTIALS_HMAC_KEY.encode()
    return SECRET_HASH_PREFIX + hmac.new(key, secret_id.encode(), hashlib.sha256).hexdigest()


class TimeStampedModel(models.Model):
    """A row that remembers when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ModuleCredentials(models.Model):
    """AppRole-style credentials of a client program (a VLE or a provider).

    `role_id` is public and identifies the module; `secret_id` is shown once when it is issued
    and only its keyed hash is kept (`secret_digest`), so a lost secret is replaced, never
    recovered.
    """

    role_id = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    secret_id_hash = models.CharField(max_length=256, blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def issue_credentials(self) -> dict[str, str]:
        """Give the module a new secret (the old one stops working) and return both ids."""
        if not self.role_id:
            self.role_id = secrets.token_hex(16)
        secret_id = secrets.token_urlsafe(32)
        self.secret_id_hash = secret_digest(secret_id)
        self.save(update_fields=["role_id", "secret_id_hash"])
        return {"role_id": self.role_id, "secret_id": secret_id}

    def check_secret_id(self, secret_id: str) -> bool:
        """Whether `secret_id` is this module's secret.

        A hash from before keyed hashing (a Django password hash) is checked the slow way once
        and, when it matches, replaced by the keyed hash, so each module pays the old price at
        most once."""
        stored = self.secret_id_hash
        if stored.startswith(SECRET_HASH_PREFIX):
            return hmac.compare_digest(stored, secret_digest(secret_id))
        if not stored or not check_password(secret_id, stored):
            return False
        self.secret_id_hash = secret_digest(secret_id)
        type(self)._default_manager.filter(pk=self.pk, secret_id_hash=stored).update(
            secret_id_hash=self.secret_id_hash
        )
        return True


class RevokedLogin(models.Model):
    """A login (the `sid` shared by an access token and its refresh token) ended by logout.

    Its refresh token no longer renews; the row can go once that token would have expired."""

    sid = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sid


class Job(models.Model):
    """A task the server owes to a worker (the outbox).

    A job is written in the same transaction as the change that calls for it, published after
    commit, and sent again while it stays pending: its row is deleted only when the work it
    asks for is done (`tesla.jobs.job_done`). `key` names the work, so asking twice for the
    same pending work keeps one row; `version` counts those asks, so work requested again
    while a worker was busy is not marked done by that worker."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    queue = models.CharField(
        max_length=100, blank=True, default="", help_text="Empty: the server's own queue."
    )
    key = models.CharField(max_length=200, unique=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["next_attempt_at", "id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
