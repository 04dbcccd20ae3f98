"""Building blocks shared by the domain apps: timestamps, machine credentials, revoked tokens."""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class TimeStampedModel(models.Model):
    """A row that remembers when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ModuleCredentials(models.Model):
    """AppRole-style credentials of a client program (a VLE or a provider).

    `role_id` is public and identifies the module; `secret_id` is shown once when it is issued
    and only its hash is kept, so a lost secret is replaced, never recovered.
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
        self.secret_id_hash = make_password(secret_id)
        self.save(update_fields=["role_id", "secret_id_hash"])
        return {"role_id": self.role_id, "secret_id": secret_id}

    def check_secret_id(self, secret_id: str) -> bool:
        return bool(self.secret_id_hash) and check_password(secret_id, self.secret_id_hash)


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
