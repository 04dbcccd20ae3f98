"""Views write through the services: each view declares which ones, and this mixin calls them.

    writes = ServiceWrites(create=send_category_create, update=send_category_update,
                           instance="category")

POST calls `send_category_create(institution=<the URL's institution>, **validated data)`;
PUT/PATCH calls `send_category_update(category=<the object>, **validated data)`. What the
service returns is what the response renders. Serializers only validate and represent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServiceWrites:
    """A view's create and update services.

    `create` receives the URL parent `url_parent` (by default the one named `parent`) as the
    keyword `parent`, or no parent when `parent` is None; `update` receives the object as the
    keyword `instance`. Either may be None when the view writes otherwise."""

    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    instance: str = "instance"
    parent: str | None = "institution"
    url_parent: str | None = None


class WritesThroughServices:
    """`perform_create`/`perform_update` that call the view's declared `writes`; a view that
    declares none (or no service for the action) saves through its serializer."""

    writes: ServiceWrites | None = None
    parents: dict[str, Any]

    def perform_create(self, serializer) -> None:
        writes = self.writes
        if writes is None or writes.create is None:
            super().perform_create(serializer)  # type: ignore[misc]
        elif writes.parent is None:
            serializer.instance = writes.create(**serializer.validated_data)
        else:
            parent = self.parents[writes.url_parent or writes.parent]
            serializer.instance = writes.create(
                **{writes.parent: parent}, **serializer.validated_data
            )

    def perform_update(self, serializer) -> None:
        writes = self.writes
        if writes is None or writes.update is None:
            super().perform_update(serializer)  # type: ignore[misc]
        else:
            serializer.instance = writes.update(
                **{writes.instance: serializer.instance}, **serializer.validated_data
            )
