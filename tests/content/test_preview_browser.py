"""A real browser (Debian's chromium, headless, through chromedriver) opens preview links of a
SCORM 2004 and a cmi5 package against a live server: packages this test builds, imported
through the API, whose content finds and calls its runtime; its statements are recorded in
the database."""

import os
import shutil
import tempfile
import time

import pytest

from tests.content import packages
from tests.content.test_real_packages import FOLDER
from vle.content.models import Course, CourseSetting, PreviewSession, Statement

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
VERB = "http://adlnet.gov/expapi/verbs/"

pytestmark = [
    # CI installs the browser (.ci/run); only a developer machine without it may skip.
    pytest.mark.skipif(
        not HAVE_BROWSER and not os.environ.get("CI"),
        reason="chromium and chromedriver are not installed",
    ),
    pytest.mark.django_db(transaction=True),
]

SCO_2004 = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>SCO</title><script src="sco.js"></script></head>
<body><pre id="log"></pre></body></html>
"""

# A SCO as authors write them: find the API up the frame chain, then talk to it.
SCO_2004_JS = """
function findApi(win) {
  for (var hops = 0; win && hops < 10; hops++) {
    if (win.API_1484_11) return win.API_1484_11;
    if (win.parent === win) break;
    win = win.parent;
  }
  return null;
}
window.addEventListener("load", function () {
  var api = findApi(window), log = [];
  if (!api) { document.getElementById("log").textContent = "no API"; return; }
  log.push("Initialize=" + api.Initialize(""));
  log.push("learner=" + api.GetValue("cmi.learner_id"));
  log.push("passing=" + api.GetValue("cmi.scaled_passing_score"));
  log.push("entry=" + api.GetValue("cmi.entry"));
  log.push("readonly=" + api.SetValue("cmi.learner_id", "me") + "/" + api.GetLastError());
  log.push("badvalue=" + api.SetValue("cmi.score.scaled", "2") + "/" + api.GetLastError());
  log.push("unset=" + api.GetValue("cmi.location") + "/" + api.GetLastError());
  log.push("order=" + api.SetValue("cmi.interactions.0.type", "choice") + "/" + api.GetLastError());
  log.push("gap=" + api.SetValue("cmi.interactions.1.id", "q2") + "/" + api.GetLastError());
  api.SetValue("cmi.interactions.0.id", "q1");
  api.SetValue("cmi.interactions.0.type", "choice");
  api.SetValue("cmi.interactions.0.learner_response", "b");
  api.SetValue("cmi.interactions.0.result", "correct");
  log.push("count=" + api.GetValue("cmi.interactions._count"));
  api.SetValue("cmi.score.scaled", "0.9");
  log.push("success=" + api.GetValue("cmi.success_status"));
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.session_time", "PT12S");
  log.push("Commit=" + api.Commit(""));
  // Set after the commit and never committed by the SCO: the player's auto-commit sends it.
  api.SetValue("cmi.interactions.1.id", "q2");
  api.SetValue("cmi.interactions.1.type", "true-false");
  api.SetValue("cmi.interactions.1.learner_response", "true");
  document.getElementById("log").textContent = log.join("\\n");
  document.title = "ready";
});
"""

AU_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>AU</title><script src="au.js"></script></head>
<body><pre id="log"></pre></body></html>
"""

# A cmi5 AU: redeem the fetch URL, read LMS.LaunchData, send initialized and completed.
AU_JS = """
window.addEventListener("load", async function () {
  var out = document.getElementById("log"), log = [];
  try {
    var q = new URLSearchParams(location.search);
    var endpoint = q.get("endpoint").replace(/\\/$/, "");
    var fetched = await fetch(q.get("fetch"), {method: "POST"});
    var auth = "Basic " + (await fetched.json())["auth-token"];
    var headers = {"X-Experience-API-Version": "1.0.3", "Authorization": auth};
    var stateUrl = endpoint + "/activities/state?" + new URLSearchParams({
      stateId: "LMS.LaunchData", activityId: q.get("activityId"), agent: q.get("actor"),
      registration: q.get("registration")});
    var launchData = await (await fetch(stateUrl, {headers: headers})).json();
    log.push("moveOn=" + launchData.moveOn);
    log.push("x=" + q.get("x"));
    var send = async function (verb, id) {
      var context = JSON.parse(JSON.stringify(launchData.contextTemplate));
      context.registration = q.get("registration");
      var statement = {id: id, actor: JSON.parse(q.get("actor")),
        verb: {id: "http://adlnet.gov/expapi/verbs/" + verb, display: {"en-US": verb}},
        object: {id: q.get("activityId"), objectType: "Activity"}, context: context};
      var response = await fetch(endpoint + "/statements?statementId=" + id, {method: "PUT",
        headers: Object.assign({"Content-Type": "application/json"}, headers),
        body: JSON.stringify(statement)});
      log.push(verb + "=" + response.status);
    };
    await send("initialized", crypto.randomUUID());
    await send("completed", crypto.randomUUID());
  } catch (error) {
    log.push("error=" + error);
  }
  out.textContent = log.join("\\n");
  document.title = "ready";
});
"""


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="preview-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the browser")


def open_in_content_frame(browser, link: str) -> list[str]:
    """Open the player, step into the course's frame and return the lines it logged."""
    browser.get(link)
    frame = wait_for(lambda: browser.find_elements("id", "preview-content"))[0]
    browser.switch_to.frame(frame)
    try:
        wait_for(lambda: browser.execute_script("return document.title") == "ready")
    except AssertionError:
        source = browser.page_source
        browser.switch_to.default_content()
        raise AssertionError(
            f"the course did not finish: frame {source[:2000]!r}, "
            f"player {browser.page_source[:3000]!r}, console {browser.get_log('browser')!r}"
        ) from None
    lines = browser.find_element("id", "log").text.splitlines()
    browser.switch_to.default_content()
    return lines


def preview_link(app, upload, course_id: str, package: bytes, live_server) -> str:
    """Import `package` through the API and ask for its preview link, on the live server."""
    _, job = upload(app, course_id, package)
    assert job["status"] == "COMPLETE", job
    response = app.post(f"/api/v2/courses/{course_id}/preview", {"expiry": 60}, format="json")
    assert response.status_code == 200
    return live_server.url + response.json()["launchLink"].removeprefix("http://testserver")


def test_a_scorm_2004_package_plays_with_the_runtime(
    browser, short_lived_connections, live_server, app, upload
):
    package = packages.zip_bytes(
        {
            "imsmanifest.xml": packages.scorm2004_manifest("4th"),
            "course/content/sco/start.html": SCO_2004,
            "course/content/sco/sco.js": SCO_2004_JS,
        }
    )
    link = preview_link(app, upload, "golf", package, live_server)
    CourseSetting.objects.create(
        course=Course.objects.get(course_id="golf"),
        setting_id="PlayerCommCommitFrequency",
        value="1000",
    )

    lines = open_in_content_frame(browser, link)

    assert lines == [
        "Initialize=true",
        "learner=preview",
        "passing=0.7",
        "entry=ab-initio",
        "readonly=false/404",
        "badvalue=false/407",
        "unset=/403",
        "order=false/408",
        "gap=false/351",
        "count=1",
        "success=passed",  # 0.9 reaches the manifest's passing score of 0.7
        "Commit=true",
    ]
    session = PreviewSession.objects.get()
    recorded = Statement.objects.filter(registration=session.pk)
    committed = {statement.verb.removeprefix(VERB) for statement in recorded}
    assert committed == {"initialized", "completed", "passed", "answered"}
    passed = Statement.objects.get(verb=VERB + "passed")
    assert passed.statement["result"]["score"] == {"scaled": 0.9}
    assert passed.course.course_id == "golf" and passed.version == session.version

    answered = Statement.objects.filter(verb=VERB + "answered")
    wait_for(lambda: answered.filter(statement__result__response="true").exists())

    # Leaving the player ends the SCO on its behalf: its data is kept and the player says so.
    browser.find_element("id", "preview-exit").click()
    wait_for(lambda: browser.find_element("id", "preview-ended").is_displayed())
    wait_for(lambda: Statement.objects.filter(verb=VERB + "terminated").exists())
    calls = browser.execute_script("return window.API_1484_11._runtime.calls.map(c => c.call)")
    assert calls[0] == "Initialize" and calls[-1] == "Terminate"


def test_a_cmi5_package_records_its_statements(
    browser, short_lived_connections, live_server, app, upload
):
    package = packages.zip_bytes(
        {"cmi5.xml": packages.CMI5, "au/index.html": AU_HTML, "au/au.js": AU_JS}
    )
    link = preview_link(app, upload, "cmi5", package, live_server)

    lines = open_in_content_frame(browser, link)

    assert lines == ["moveOn=Passed", "x=1", "initialized=204", "completed=204"]
    session = PreviewSession.objects.get()
    recorded = Statement.objects.filter(registration=session.pk).order_by("stored")
    assert [s.verb.removeprefix(VERB) for s in recorded] == ["launched", "initialized", "completed"]
    for statement in recorded:
        assert statement.activity_id == session.activity_id
        assert statement.version == session.version
        grouping = statement.statement["context"]["contextActivities"]["grouping"]
        assert grouping == [{"objectType": "Activity", "id": "https://example.org/au/1"}]


IDLE_SCO = "<!DOCTYPE html><html><head><title>ready</title></head><body>idle</body></html>"

# Calls made on the player's API object: (method, arguments, result, error code after it).
SCORM_12_RULES = [
    ("LMSGetValue", ["cmi.core.student_id"], "", "301"),
    ("LMSInitialize", [""], "true", "0"),
    ("LMSInitialize", [""], "false", "101"),
    ("LMSGetValue", ["cmi.core.student_id"], "preview", "0"),
    ("LMSGetValue", ["cmi.core.lesson_status"], "not attempted", "0"),
    ("LMSGetValue", ["cmi.core.lesson_mode"], "normal", "0"),
    ("LMSGetValue", ["cmi.student_data.mastery_score"], "80", "0"),
    ("LMSGetValue", ["cmi.core.score._children"], "raw,min,max", "0"),
    ("LMSGetValue", ["cmi.core.student_id._children"], "", "202"),
    ("LMSGetValue", ["cmi.core._count"], "", "203"),
    ("LMSGetValue", ["cmi.nope"], "", "201"),
    ("LMSGetValue", ["cmi.core.exit"], "", "404"),
    ("LMSSetValue", ["cmi.core.student_id", "me"], "false", "403"),
    ("LMSSetValue", ["cmi.core._children", "x"], "false", "402"),
    ("LMSSetValue", ["cmi.core.lesson_status", "not attempted"], "false", "405"),
    ("LMSSetValue", ["cmi.core.score.raw", "101"], "false", "405"),
    ("LMSSetValue", ["cmi.core.session_time", "1:00"], "false", "405"),
    ("LMSSetValue", ["cmi.core.session_time", "0000:01:30.5"], "true", "0"),
    ("LMSSetValue", ["cmi.interactions.1.id", "q2"], "false", "201"),
    ("LMSSetValue", ["cmi.interactions.0.id", "q1"], "true", "0"),
    ("LMSGetValue", ["cmi.interactions._count"], "1", "0"),
    ("LMSGetValue", ["cmi.interactions.0.id"], "", "404"),
    ("LMSSetValue", ["cmi.comments", "a"], "true", "0"),
    ("LMSSetValue", ["cmi.comments", "b"], "true", "0"),
    ("LMSGetValue", ["cmi.comments"], "ab", "0"),
    ("LMSSetValue", ["cmi.core.score.raw", "85"], "true", "0"),
    ("LMSSetValue", ["cmi.core.lesson_status", "passed"], "true", "0"),
    ("LMSCommit", ["x"], "false", "201"),
    ("LMSCommit", [""], "true", "0"),
    ("LMSGetErrorString", ["403"], "Element is read only", "0"),
    ("LMSFinish", [""], "true", "0"),
    ("LMSGetValue", ["cmi.core.lesson_status"], "", "301"),
]

SCORM_2004_RULES = [
    ("GetValue", ["cmi.learner_id"], "", "122"),
    ("Terminate", [""], "false", "112"),
    ("Initialize", ["x"], "false", "201"),
    ("Initialize", [""], "true", "0"),
    ("Initialize", [""], "false", "103"),
    ("GetValue", ["cmi._version"], "1.0", "0"),
    ("GetValue", ["cmi.completion_status"], "unknown", "0"),
    ("GetValue", ["cmi.scaled_passing_score"], "0.7", "0"),
    ("GetValue", ["cmi.location"], "", "403"),
    ("GetValue", [""], "", "301"),
    ("GetValue", ["cmi.exit"], "", "405"),
    ("GetValue", ["cmi.bogus"], "", "401"),
    ("GetValue", ["cmi.learner_id._children"], "", "301"),
    ("GetValue", ["cmi.score._children"], "scaled,raw,min,max", "0"),
    ("SetValue", ["cmi.learner_id", "me"], "false", "404"),
    ("SetValue", ["cmi.interactions._count", "1"], "false", "404"),
    ("SetValue", ["cmi.score.scaled", "1.5"], "false", "407"),
    ("SetValue", ["cmi.score.scaled", "abc"], "false", "406"),
    ("SetValue", ["cmi.completion_status", "done"], "false", "406"),
    ("SetValue", ["cmi.session_time", "P"], "false", "406"),
    ("SetValue", ["cmi.session_time", "PT1H2M3.5S"], "true", "0"),
    ("GetValue", ["cmi.objectives._count"], "1", "0"),  # the manifest's primary objective
    ("GetValue", ["cmi.objectives.0.id"], "p", "0"),
    ("SetValue", ["cmi.objectives.1.score.scaled", "0.5"], "false", "408"),
    ("SetValue", ["cmi.objectives.1.id", "obj1"], "true", "0"),
    ("SetValue", ["cmi.objectives.2.id", "obj1"], "false", "351"),
    ("SetValue", ["cmi.objectives.3.id", "obj3"], "false", "351"),
    ("GetValue", ["cmi.objectives._count"], "2", "0"),
    ("GetValue", ["cmi.objectives.1.success_status"], "unknown", "0"),
    ("SetValue", ["cmi.score.scaled", "0.5"], "true", "0"),
    ("GetValue", ["cmi.success_status"], "failed", "0"),
    ("SetValue", ["adl.nav.request", "continue"], "true", "0"),
    ("GetValue", ["adl.nav.request_valid.continue"], "unknown", "0"),
    ("Commit", ["x"], "false", "201"),
    ("Commit", [""], "true", "0"),
    ("GetErrorString", ["406"], "Data Model Element Type Mismatch", "0"),
    ("Terminate", [""], "true", "0"),
    ("GetValue", ["cmi.location"], "", "123"),
    ("SetValue", ["cmi.location", "x"], "false", "133"),
    ("Commit", [""], "false", "143"),
    ("Terminate", [""], "false", "113"),
    ("Initialize", [""], "false", "104"),
]

RUN_CALLS = """
var api = window[arguments[0]], lastError = arguments[1];
return arguments[2].map(function (step) {
  var result = api[step[0]].apply(api, step[1]);
  return [step[0], step[1], result, api[lastError]()];
});
"""


@pytest.mark.parametrize(
    ("manifest", "launch", "api", "last_error", "rules", "verbs"),
    [
        (
            packages.scorm12_manifest(),
            "index.html",
            "API",
            "LMSGetLastError",
            SCORM_12_RULES,
            {"initialized", "answered", "completed", "passed", "terminated"},
        ),
        (
            packages.scorm2004_manifest("4th"),
            "course/content/sco/start.html",
            "API_1484_11",
            "GetLastError",
            SCORM_2004_RULES,
            {"initialized", "failed", "terminated"},
        ),
    ],
    ids=["scorm12", "scorm2004"],
)
def test_the_runtime_keeps_the_data_model_rules(
    browser, short_lived_connections, live_server, app, upload, manifest, launch, api, last_error,
    rules, verbs,
):  # fmt: skip
    package = packages.zip_bytes({"imsmanifest.xml": manifest, launch: IDLE_SCO})
    browser.get(preview_link(app, upload, "rules", package, live_server))
    wait_for(lambda: browser.execute_script(f"return !!window.{api}"))

    answers = browser.execute_script(RUN_CALLS, api, last_error, [list(r[:2]) for r in rules])

    assert [tuple(answer) for answer in answers] == [
        (name, args, result, error) for name, args, result, error in rules
    ]
    recorded = {s.verb.removeprefix(VERB) for s in Statement.objects.all()}
    assert recorded == verbs


@pytest.mark.skipif(not FOLDER.is_dir(), reason="the shared content packages are absent")
def test_the_real_tin_can_golf_example_records_through_its_own_xapi_library(
    browser, short_lived_connections, live_server, app, upload
):
    """Rustici's Tin Can golf example, unchanged, with the TinCanJS library it ships: it reads
    its launch parameters, reads its bookmark from the state API and sends its statements."""
    package = (FOLDER / "xapi_tincan_golf_example.zip").read_bytes()
    browser.get(preview_link(app, upload, "tincan-golf", package, live_server))

    wait_for(lambda: Statement.objects.filter(verb=VERB + "attempted").exists())
    session = PreviewSession.objects.get()
    attempted = Statement.objects.get(verb=VERB + "attempted")
    assert attempted.registration == session.registration
    assert attempted.activity_id == session.activity_id
    assert attempted.learner_id == "preview"
    assert attempted.course.course_id == "tincan-golf"


@pytest.mark.skipif(not FOLDER.is_dir(), reason="the shared content packages are absent")
@pytest.mark.parametrize(
    ("package", "api", "initialize", "finish"),
    # (The SCORM 1.2 golf copy in the shared folder ships its scripts emptied: it cannot run.)
    [
        ("scorm2004_3rd_golf_runtime_advanced_calls.zip", "API_1484_11", "Initialize", "Terminate"),
    ],
    ids=["scorm2004"],
)
def test_the_real_golf_scos_run_with_the_runtime(
    browser, short_lived_connections, live_server, app, upload, package, api, initialize, finish
):
    """Rustici's golf SCOs, unchanged: they find the API, initialise, read and write the data
    model without errors the standard does not expect, and leaving records their session."""
    link = preview_link(app, upload, "golf", (FOLDER / package).read_bytes(), live_server)
    browser.get(link)
    calls = f"return (window.{api} && window.{api}._runtime.calls) || []"

    wait_for(lambda: any(c["call"] == initialize for c in browser.execute_script(calls)))
    first = browser.execute_script(calls)[0]
    assert (first["call"], first["result"], first["error"]) == (initialize, "true", 0)
    browser.find_element("id", "preview-exit").click()
    wait_for(lambda: Statement.objects.filter(verb__in=[VERB + "terminated", VERB + "suspended"]))

    made = browser.execute_script(calls)
    assert made[-1]["call"] == finish and made[-1]["result"] == "true"
    # Only "not initialised yet" (2004: 403) may answer a real SCO's reads with an error.
    unexpected = [c for c in made if c["error"] not in (0, 403)]
    assert unexpected == []
    session = PreviewSession.objects.get()
    assert Statement.objects.filter(registration=session.pk, verb=VERB + "initialized").exists()
