"""Rules of the verification pipeline, one module per concern:

- `intake`: requests in (LAPI samples, VLE attachments), with the intake's checks;
- `samples`: enrolment samples in, and providers' validations of them;
- `verification`: providers' answers, instrument summaries, request statuses, histograms;
- `levels`: the report arithmetic (pure functions, worked examples in its docstring);
- `compute`: a whole report from plain facts (pure, worked examples in its docstring);
- `building`: learners' activity reports from the stored results: load, `compute`, save;
- `work`: the pending-work queue that builds reports after commit and after a crash;
- `rebuild`: rebuilding reports and histograms from scratch (`manage.py rebuild_reports`);
- `enrolment`: providers' enrolment models and their locks;
- `providers`: registering providers (global admins);
- `dispatch`: the provider tasks sent through the outbox;
- `notifications`, `webhooks`: providers' delayed results;
- `exports`: the SVG chart and the CSV export.
"""
