"""Rules of the verification pipeline, one module per concern:

- `intake`: requests in (LAPI samples, VLE attachments);
- `verification`: providers' answers, instrument summaries, request statuses, histograms;
- `levels`: the report arithmetic (pure functions, worked examples in its docstring);
- `building`: learners' activity reports from the stored results;
- `work`: the pending-work queue that builds reports after commit and after a crash;
- `rebuild`: rebuilding reports and histograms from scratch (`manage.py rebuild_reports`);
- `enrolment`: providers' enrolment models and their locks;
- `providers`: registering providers (global admins);
- `exports`: the SVG chart and the CSV export.
"""
