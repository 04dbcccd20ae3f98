"""Writes and rules of the institution app, one module per concept:

- `people`: institution users, learners and instructors (identity, uid, e-mail domain,
  passwords, the person behind a role);
- `consent`: informed consent versions, their documents, a learner's acceptance;
- `send`: SEND categories and their assignment to learners;
- `groups`: course groups;
- `ui`: global dashboard routes and the institutions' switches of them;
- `admins`: global administration of users, and keeping a global admin.

Every function is keyword-only. Invalid input raises Django's `ValidationError` with a dict
naming the offending field; any other refusal raises one of `tesla.errors` (a taken value is a
`Conflict`). The API's exception handler turns both into JSON errors, and the request's
transaction rolls back whatever was already written.
"""
