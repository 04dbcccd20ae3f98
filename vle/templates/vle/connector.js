/* TeSLA connector for assessment session {{ session_id }}.
 * Included by the VLE in the learner's page (<script src="...">). When TeSLA watches the
 * activity it loads the browser plugin's styles and modules and adds a <tesla-web-plugin>
 * element that reads its configuration from `data_url` (a URL holding the session's key). */
(function () {
  "use strict";
  var loader = {{ loader_json }};
  if (!loader.active || window.__teslaConnectorLoaded) {
    return;
  }
  window.__teslaConnectorLoaded = true;

  function start() {
    loader.css.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.appendChild(link);
    });
    loader.modules.forEach(function (src) {
      var script = document.createElement("script");
      script.src = src;
      script.type = "module";
      document.head.appendChild(script);
    });
    var plugin = document.createElement("tesla-web-plugin");
    plugin.setAttribute("data-url", loader.data_url);
    plugin.setAttribute("session-id", String(loader.session_id));
    document.body.appendChild(plugin);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
