"""Writes and rules of the VLE app, one module per concept:

- `vles`: registering a VLE, its LTI settings and module credentials;
- `courses`: courses a VLE syncs (unique `vle_course_id`) and the course groups listing them;
- `enrolments`: learners and instructors of a course, by uid, through either door;
- `people`: the people a VLE creates and may later change (the rule of who a person is lives
  in `institution.services.people.person_for_uid`);
- `activities`: activities of a course (unique VLE type and id);
- `instruments`: the instrument catalogue, options schemas and options, the instruments
  configured on an activity;
- `assessment`: assessment sessions and the browser plugin's configuration;
- `launchers`: single-use dashboard login links;
- `unique`: the savepoint-and-refuse of writes that may race on a unique value.

The VLE tree (a VLE's plugin) and the institution tree (the dashboard) call the same rules;
where the doors differ, the difference is a parameter of the rule (`course_enrol`'s `vle`,
`activity_create`'s `taken_is_conflict`, `person_for_uid`'s `door`). Every function is
keyword-only and raises Django's `ValidationError` (400 naming the field) or one of
`tesla.errors`; reads live in `vle.selectors`.
"""
