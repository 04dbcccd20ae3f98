/*
 * The preview player page: gives the framed course its runtime and ends the preview.
 *
 * SCORM content finds `window.API` (1.2) or `window.API_1484_11` (2004) on this window; xAPI
 * and cmi5 content received its LRS endpoint and credentials in its launch URL. When the course
 * ends (Finish/Terminate, or the Exit button), the player follows `redirectOnExitUrl`: a URL,
 * or the keywords "closer" (close the window), "blank" (an empty page) or "message".
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("preview-config").textContent);
  var frame = document.getElementById("preview-content");
  var api = null;
  var ended = false;

  function showEnded() {
    var stage = document.getElementById("preview-stage");
    if (stage) stage.remove();
    document.getElementById("preview-ended").hidden = false;
  }

  function leave() {
    if (ended) return;
    ended = true;
    var target = config.exit || "message";
    if (/^https?:\/\//i.test(target)) {
      window.location.assign(target);
    } else if (target === "blank") {
      window.location.replace("about:blank");
    } else {
      if (target === "closer") window.close();
      showEnded(); // shown when the window may not close itself
    }
  }

  // The course ended on its own: leave once its call has returned.
  config.onFinish = function () {
    window.setTimeout(leave, 0);
  };

  if (config.standard === "scorm12") {
    api = window.API = new window.TeslaScormRuntime.Scorm12(config);
  } else if (config.standard === "scorm2004") {
    api = window.API_1484_11 = new window.TeslaScormRuntime.Scorm2004(config);
  }

  if (api && config.commitEvery > 0) {
    window.setInterval(function () {
      api._runtime.autoCommit();
    }, config.commitEvery);
  }

  // Ending while the SCO is still running: finish on its behalf, so its data is kept.
  function finishForTheSco() {
    if (!api || api._runtime.state !== "running") return;
    var onFinish = config.onFinish;
    config.onFinish = null;
    if (config.standard === "scorm12") api.LMSFinish("");
    else api.Terminate("");
    config.onFinish = onFinish;
  }

  // Exit unloads the course first, as an LMS does, so the SCO's own unload handler saves its
  // data and terminates; only a SCO that did not is finished on its behalf.
  document.getElementById("preview-exit").addEventListener("click", function () {
    if (!api || api._runtime.state !== "running") {
      leave();
      return;
    }
    frame.addEventListener(
      "load",
      function () {
        finishForTheSco();
        leave();
      },
      { once: true }
    );
    frame.src = "about:blank";
  });
  window.addEventListener("pagehide", finishForTheSco);

  frame.src = config.launchUrl;
})();
