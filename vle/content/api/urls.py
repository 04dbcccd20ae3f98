"""Routes of the Course Service, under /api/v2/ (the client's host is `<server>/api/v2`)."""

urlpatterns: list = []
