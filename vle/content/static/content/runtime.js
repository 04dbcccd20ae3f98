/*
 * The preview player's runtime: the SCORM 1.2 API (`window.API`) and the SCORM 2004 API
 * (`window.API_1484_11`) with their standard data models, for the course framed by the player.
 *
 * A SCO finds the API by walking up `window.parent` from its own frame, so both objects live
 * on the player window, which is served from the same origin as the course files. Values the
 * SCO sets stay in this page; Commit and Finish/Terminate post a snapshot of the data model to
 * the server (`config.runtimeUrl`), which records it as xAPI statements.
 *
 * Written for this server from the SCORM 1.2 Run-Time Environment and SCORM 2004 4th Edition
 * RTE books: element names, vocabularies, access rules and error codes are the standard's.
 */
(function (global) {
  "use strict";

  // ---------------------------------------------------------------- value checks (types)

  var DECIMAL = /^-?\d+(\.\d+)?$/;
  var REAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
  // SCORM 1.2 CMITimespan HHHH:MM:SS.SS and CMITime HH:MM:SS.SS
  var TIMESPAN_12 = /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/;
  var TIME_12 = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$/;
  // SCORM 2004 timeinterval (second, 10, 2): an ISO 8601 duration
  var INTERVAL = /^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/;
  // SCORM 2004 time (second, 10, 0): an ISO 8601 date and time, precision down to a year
  var TIMESTAMP = new RegExp(
    "^\\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01])(T([01]\\d|2[0-3])(:[0-5]\\d(:[0-5]\\d" +
      "(\\.\\d{1,2})?)?)?(Z|[+-]([01]\\d|2[0-3])(:?[0-5]\\d)?)?)?)?)?$"
  );
  var LANGUAGE = /^$|^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

  function vocabulary(words) {
    return function (value) {
      return words.indexOf(value) >= 0;
    };
  }
  function maxLength(n) {
    return function (value) {
      return value.length <= n;
    };
  }
  function realRange(low, high) {
    return function (value) {
      if (!REAL.test(value)) return "type";
      var n = parseFloat(value);
      if ((low !== null && n < low) || (high !== null && n > high)) return "range";
      return true;
    };
  }
  function decimalRange12(low, high) {
    // 1.2 scores: CMIDecimal, or empty for "no score"
    return function (value) {
      if (value === "") return true;
      if (!DECIMAL.test(value) && !REAL.test(value)) return "type";
      var n = parseFloat(value);
      if ((low !== null && n < low) || (high !== null && n > high)) return "range";
      return true;
    };
  }
  function integerRange(low, high) {
    return function (value) {
      if (!/^-?\d+$/.test(value)) return "type";
      var n = parseInt(value, 10);
      return n < low || n > high ? "range" : true;
    };
  }
  function pattern(regex) {
    return function (value) {
      return regex.test(value);
    };
  }
  function localized(max) {
    // localized_string_type: an optional {lang=xx} delimiter, then text
    return function (value) {
      var match = /^\{lang=([^}]*)\}/.exec(value);
      if (match && !LANGUAGE.test(match[1])) return false;
      return value.length <= max + (match ? match[0].length : 0);
    };
  }
  function identifier(max) {
    return function (value) {
      return value.length > 0 && value.length <= max && !/\s/.test(value);
    };
  }

  // ----------------------------------------------------------- the data model, generically
  //
  // A model is a table of element patterns ("cmi.interactions.n.id", with `n` for an index)
  // to rules {access: "ro"|"wo"|"rw", check, initial}. Values live in a flat object keyed by
  // the concrete element name; array lengths are derived from the keys that were set.

  function compile(table) {
    var rules = [];
    Object.keys(table).forEach(function (name) {
      var source = "^" + name.replace(/\./g, "\\.").replace(/\\\.n(?=\\\.|$)/g, "\\.(\\d+)") + "$";
      rules.push({ name: name, regex: new RegExp(source), rule: table[name] });
    });
    return rules;
  }

  function findRule(rules, element) {
    for (var i = 0; i < rules.length; i++) {
      var match = rules[i].regex.exec(element);
      if (match) return { rule: rules[i].rule, pattern: rules[i].name, indexes: match.slice(1) };
    }
    return null;
  }

  function DataModel(rules, arrays, children, initial) {
    this.rules = rules;
    this.arrays = arrays; // array element names ("cmi.interactions", "cmi.interactions.n.objectives")
    this.children = children; // element name pattern -> "_children" value
    this.values = {};
    this.changed = {};
    var self = this;
    Object.keys(initial).forEach(function (key) {
      self.values[key] = initial[key];
    });
  }

  DataModel.prototype.count = function (array) {
    var prefix = array + ".";
    var highest = -1;
    Object.keys(this.values).forEach(function (key) {
      if (key.indexOf(prefix) === 0) {
        var index = parseInt(key.slice(prefix.length), 10);
        if (!isNaN(index) && index > highest) highest = index;
      }
    });
    return highest + 1;
  };

  // The pattern of a concrete element name: indexes replaced by `n`.
  function generic(element) {
    return element.replace(/\.\d+(?=\.|$)/g, ".n");
  }

  // The arrays an indexed element belongs to, outermost first, with the index used in each.
  DataModel.prototype.indexesOf = function (element) {
    var parts = element.split(".");
    var found = [];
    for (var i = 1; i < parts.length; i++) {
      if (/^\d+$/.test(parts[i])) {
        found.push({ array: parts.slice(0, i).join("."), index: parseInt(parts[i], 10) });
      }
    }
    return found;
  };

  DataModel.prototype.snapshot = function () {
    var copy = {};
    var self = this;
    Object.keys(this.values).forEach(function (key) {
      copy[key] = self.values[key];
    });
    return copy;
  };

  // ------------------------------------------------------------------------ shared runtime

  function Runtime(options) {
    this.options = options;
    this.state = "not-initialized"; // -> "running" -> "terminated"
    this.lastError = 0;
    this.diagnostic = "";
    this.model = options.model;
    this.config = options.config;
    this.calls = [];
  }

  Runtime.prototype.fail = function (code, diagnostic) {
    this.lastError = code;
    this.diagnostic = diagnostic || "";
    return code;
  };

  // A call that needs a running session: `before` and `after` are the error codes for a call
  // made before Initialize and after Terminate.
  Runtime.prototype.guard = function (name, args, fallback, before, after, body) {
    var result;
    if (this.state === "not-initialized") {
      this.fail(before);
      result = fallback;
    } else if (this.state === "terminated") {
      this.fail(after);
      result = fallback;
    } else {
      this.lastError = 0;
      this.diagnostic = "";
      result = body();
    }
    this.log(name, args, result);
    return result;
  };

  Runtime.prototype.initialize = function (name, parameter, running, terminated) {
    var result;
    if (parameter !== undefined && parameter !== "") result = (this.fail(201), "false");
    else if (this.state === "running") result = (this.fail(running), "false");
    else if (this.state === "terminated") result = (this.fail(terminated), "false");
    else {
      this.state = "running";
      this.lastError = 0;
      result = "true";
    }
    this.log(name, [parameter], result);
    return result;
  };

  // Commit (LMSCommit): the argument must be "", and the server must have stored the data.
  Runtime.prototype.commit = function (parameter, failure) {
    if (parameter !== undefined && parameter !== "") return this.fail(201), "false";
    if (!this.post("commit")) return this.fail(failure, "The server did not store the data."), "false";
    return "true";
  };

  Runtime.prototype.errorString = function (code) {
    return this.options.errors[parseInt(code, 10)] || "";
  };

  Runtime.prototype.diagnosticOf = function (code) {
    if (code === undefined || code === "" || parseInt(code, 10) === this.lastError) {
      return this.diagnostic || this.errorString(this.lastError);
    }
    return this.errorString(code);
  };

  Runtime.prototype.log = function (name, args, result) {
    this.calls.push({ call: name, args: args, result: result, error: this.lastError });
    if (this.calls.length > 500) this.calls.shift();
    if (typeof this.config.onCall === "function") this.config.onCall(name, args, result);
  };

  // What SCORM Cloud's PlayerCommCommitFrequency does: data the SCO set but did not commit
  // is sent in the background every `config.commitEvery` ms.
  Runtime.prototype.autoCommit = function () {
    if (this.state !== "running" || !this.dirty || !this.config.runtimeUrl) return;
    this.dirty = false;
    var self = this;
    var body = this.body("commit");
    global
      .fetch(this.config.runtimeUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body,
        keepalive: true,
      })
      .then(function (response) {
        if (!response.ok) self.dirty = true;
      })
      .catch(function () {
        self.dirty = true;
      });
  };

  Runtime.prototype.post = function (event) {
    this.dirty = false;
    return this.send(this.body(event));
  };

  Runtime.prototype.body = function (event) {
    var data = this.model.snapshot();
    // Statuses the LMS evaluates (from thresholds) are sent as the SCO would read them.
    var computed = this.options.computed;
    var self = this;
    (this.options.evaluated || []).forEach(function (element) {
      var value = computed.call(self, element);
      if (value !== null && value !== undefined) data[element] = value;
    });
    return JSON.stringify({ standard: this.options.standard, event: event, data: data });
  };

  Runtime.prototype.send = function (body) {
    var url = this.config.runtimeUrl;
    if (!url) return true;
    try {
      var request = new XMLHttpRequest();
      request.open("POST", url, false); // Commit must say whether the data is safe
      request.setRequestHeader("Content-Type", "application/json");
      request.send(body);
      return request.status >= 200 && request.status < 300;
    } catch (error) {
      // Synchronous requests are refused while the page unloads: hand the data to the browser.
      if (global.navigator && global.navigator.sendBeacon) {
        return global.navigator.sendBeacon(url, new Blob([body], { type: "application/json" }));
      }
      return false;
    }
  };

  Runtime.prototype.getValue = function (element) {
    var codes = this.options.codes;
    element = element === undefined || element === null ? "" : String(element);
    if (element === "") return this.fail(codes.getEmpty), "";
    var model = this.model;
    var last = element.slice(element.lastIndexOf(".") + 1);
    var parent = element.slice(0, element.lastIndexOf("."));
    if (last === "_version" && this.options.version) {
      if (element !== "cmi._version") return this.fail(codes.undefined), "";
      return this.options.version;
    }
    if (last === "_children") {
      var children = model.children[generic(parent)];
      if (children === undefined) {
        return this.fail(this.known(parent) ? codes.noChildren : codes.undefined), "";
      }
      return children;
    }
    if (last === "_count") {
      if (model.arrays.indexOf(generic(parent)) < 0) {
        return this.fail(this.known(parent) ? codes.noCount : codes.undefined), "";
      }
      return String(model.count(parent));
    }
    var special = this.options.getSpecial && this.options.getSpecial.call(this, element);
    if (special !== undefined && special !== null) return special;
    var found = findRule(model.rules, element);
    if (!found) return this.fail(codes.undefined, element), "";
    if (found.rule.access === "wo") return this.fail(codes.writeOnly, element), "";
    var computed = this.options.computed && this.options.computed.call(this, element);
    if (computed !== undefined && computed !== null) return computed;
    if (Object.prototype.hasOwnProperty.call(model.values, element)) return model.values[element];
    var outOfRange = this.checkIndexes(element, false);
    if (outOfRange) return this.fail(outOfRange, element), "";
    if (found.rule.initial !== undefined) return found.rule.initial;
    if (codes.notInitialized) return this.fail(codes.notInitialized, element), "";
    return "";
  };

  Runtime.prototype.known = function (element) {
    var pattern = generic(element);
    if (this.model.children[pattern] !== undefined || this.model.arrays.indexOf(pattern) >= 0) {
      return true;
    }
    return findRule(this.model.rules, element) !== null;
  };

  // An index past the end of its array: reading it, or writing more than one past the end.
  Runtime.prototype.checkIndexes = function (element, writing) {
    var codes = this.options.codes;
    var indexes = this.model.indexesOf(element);
    for (var i = 0; i < indexes.length; i++) {
      var count = this.model.count(indexes[i].array);
      if (indexes[i].index > count || (!writing && indexes[i].index === count)) {
        return writing ? codes.outOfOrder : codes.getIndex || codes.undefined;
      }
    }
    return 0;
  };

  Runtime.prototype.setValue = function (element, value) {
    var codes = this.options.codes;
    element = element === undefined || element === null ? "" : String(element);
    if (element === "") return this.fail(codes.setEmpty), false;
    var last = element.slice(element.lastIndexOf(".") + 1);
    if (last === "_children" || last === "_count" || last === "_version") {
      return this.fail(codes.keyword, element), false;
    }
    if (typeof value === "number" || typeof value === "boolean") value = String(value);
    if (typeof value !== "string") return this.fail(codes.type, element), false;
    var special = this.options.setSpecial && this.options.setSpecial.call(this, element, value);
    if (special !== undefined && special !== null) return special;
    var found = findRule(this.model.rules, element);
    if (!found) return this.fail(codes.undefined, element), false;
    if (found.rule.access === "ro") return this.fail(codes.readOnly, element), false;
    var outOfOrder = this.checkIndexes(element, true);
    if (outOfOrder) return this.fail(outOfOrder, element), false;
    var dependency = this.options.dependency && this.options.dependency.call(this, element);
    if (dependency) return this.fail(dependency, element), false;
    var verdict = found.rule.check ? found.rule.check(value) : true;
    if (verdict === "range") return this.fail(codes.range || codes.type, element), false;
    if (verdict !== true) return this.fail(codes.type, element), false;
    var unique = this.options.unique && this.options.unique.call(this, element, value);
    if (unique) return this.fail(unique, element), false;
    if (found.rule.append && this.model.values[element]) {
      value = this.model.values[element] + value;
      if (found.rule.check && found.rule.check(value) !== true) {
        return this.fail(codes.type, element), false;
      }
    }
    this.model.values[element] = value;
    this.model.changed[element] = true;
    this.dirty = true;
    return true;
  };

  function bool(flag) {
    return flag ? "true" : "false";
  }

  // --------------------------------------------------------------------------- SCORM 1.2

  var ERRORS_12 = {
    0: "No error",
    101: "General exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect data type",
  };

  var STATUS_12 = vocabulary(["passed", "completed", "failed", "incomplete", "browsed"]);
  var INTERACTION_TYPES_12 = vocabulary([
    "true-false", "choice", "fill-in", "matching", "performance", "likert", "sequencing",
    "numeric",
  ]);
  var SCORE_12 = decimalRange12(0, 100);
  var ID_12 = function (value) {
    return value.length > 0 && value.length <= 255 && /^[^\s]+$/.test(value);
  };

  function model12(config) {
    var table = {
      "cmi.core.student_id": { access: "ro" },
      "cmi.core.student_name": { access: "ro" },
      "cmi.core.lesson_location": { access: "rw", check: maxLength(255), initial: "" },
      "cmi.core.credit": { access: "ro" },
      "cmi.core.lesson_status": { access: "rw", check: STATUS_12 },
      "cmi.core.entry": { access: "ro" },
      "cmi.core.score.raw": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.core.score.min": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.core.score.max": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.core.total_time": { access: "ro" },
      "cmi.core.lesson_mode": { access: "ro" },
      "cmi.core.exit": { access: "wo", check: vocabulary(["time-out", "suspend", "logout", ""]) },
      "cmi.core.session_time": { access: "wo", check: pattern(TIMESPAN_12) },
      "cmi.suspend_data": { access: "rw", check: maxLength(4096), initial: "" },
      "cmi.launch_data": { access: "ro", initial: "" },
      "cmi.comments": { access: "rw", check: maxLength(4096), initial: "", append: true },
      "cmi.comments_from_lms": { access: "ro", initial: "" },
      "cmi.objectives.n.id": { access: "rw", check: ID_12 },
      "cmi.objectives.n.score.raw": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.objectives.n.score.min": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.objectives.n.score.max": { access: "rw", check: SCORE_12, initial: "" },
      "cmi.objectives.n.status": {
        access: "rw",
        check: vocabulary(["passed", "completed", "failed", "incomplete", "browsed", "not attempted"]),
        initial: "not attempted",
      },
      "cmi.student_data.mastery_score": { access: "ro", initial: "" },
      "cmi.student_data.max_time_allowed": { access: "ro", initial: "" },
      "cmi.student_data.time_limit_action": { access: "ro", initial: "continue,no message" },
      "cmi.student_preference.audio": { access: "rw", check: integerRange(-1, 100), initial: "0" },
      "cmi.student_preference.language": { access: "rw", check: maxLength(255), initial: "" },
      "cmi.student_preference.speed": { access: "rw", check: integerRange(-100, 100), initial: "0" },
      "cmi.student_preference.text": { access: "rw", check: integerRange(-1, 1), initial: "0" },
      "cmi.interactions.n.id": { access: "wo", check: ID_12 },
      "cmi.interactions.n.objectives.n.id": { access: "wo", check: ID_12 },
      "cmi.interactions.n.time": { access: "wo", check: pattern(TIME_12) },
      "cmi.interactions.n.type": { access: "wo", check: INTERACTION_TYPES_12 },
      "cmi.interactions.n.correct_responses.n.pattern": { access: "wo", check: maxLength(255) },
      "cmi.interactions.n.weighting": { access: "wo", check: pattern(REAL) },
      "cmi.interactions.n.student_response": { access: "wo", check: maxLength(255) },
      "cmi.interactions.n.result": {
        access: "wo",
        check: function (value) {
          return ["correct", "wrong", "unanticipated", "neutral"].indexOf(value) >= 0 || REAL.test(value);
        },
      },
      "cmi.interactions.n.latency": { access: "wo", check: pattern(TIMESPAN_12) },
    };
    var children = {
      "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
      "cmi.core.score": "raw,min,max",
      "cmi.objectives": "id,score,status",
      "cmi.objectives.n.score": "raw,min,max",
      "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
      "cmi.student_preference": "audio,language,speed,text",
      "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    };
    var arrays = [
      "cmi.objectives",
      "cmi.interactions",
      "cmi.interactions.n.objectives",
      "cmi.interactions.n.correct_responses",
    ];
    var learner = config.learner || {};
    var initial = {
      "cmi.core.student_id": learner.id || "",
      "cmi.core.student_name": learner.name || "",
      "cmi.core.credit": config.credit || "credit",
      "cmi.core.lesson_status": "not attempted",
      "cmi.core.entry": "ab-initio",
      "cmi.core.total_time": "0000:00:00",
      "cmi.core.lesson_mode": config.mode || "normal",
    };
    if (config.launchData) initial["cmi.launch_data"] = config.launchData;
    if (config.masteryScore) initial["cmi.student_data.mastery_score"] = config.masteryScore;
    return new DataModel(compile(table), arrays, children, initial);
  }

  function Scorm12(config) {
    var runtime = new Runtime({
      standard: "scorm12",
      errors: ERRORS_12,
      config: config,
      model: model12(config),
      codes: {
        getEmpty: 201, setEmpty: 201, undefined: 201, noChildren: 202, noCount: 203,
        keyword: 402, readOnly: 403, writeOnly: 404, type: 405, outOfOrder: 201,
        getIndex: 201,
      },
    });
    this._runtime = runtime;

    // Calls that need an open session answer 301 before LMSInitialize and after LMSFinish.
    function running(name, args, fallback, body) {
      return runtime.guard(name, args, fallback, 301, 301, body);
    }

    this.LMSInitialize = function (parameter) {
      return runtime.initialize("LMSInitialize", parameter, 101, 101);
    };
    this.LMSFinish = function (parameter) {
      return running("LMSFinish", [parameter], "false", function () {
        if (parameter !== undefined && parameter !== "") return runtime.fail(201), "false";
        var saved = runtime.post("finish");
        runtime.state = "terminated";
        if (!saved) return runtime.fail(101, "The server did not store the data."), "false";
        if (typeof config.onFinish === "function") config.onFinish();
        return "true";
      });
    };
    this.LMSGetValue = function (element) {
      return running("LMSGetValue", [element], "", function () {
        var value = runtime.getValue(element);
        return value === undefined ? "" : String(value);
      });
    };
    this.LMSSetValue = function (element, value) {
      return running("LMSSetValue", [element, value], "false", function () {
        return bool(runtime.setValue(element, value) === true);
      });
    };
    this.LMSCommit = function (parameter) {
      return running("LMSCommit", [parameter], "false", function () {
        return runtime.commit(parameter, 101);
      });
    };
    this.LMSGetLastError = function () {
      return String(runtime.lastError);
    };
    this.LMSGetErrorString = function (code) {
      return runtime.errorString(code);
    };
    this.LMSGetDiagnostic = function (code) {
      return runtime.diagnosticOf(code);
    };
  }

  // --------------------------------------------------------------------------- SCORM 2004

  var ERRORS_2004 = {
    0: "No Error",
    101: "General Exception",
    102: "General Initialization Failure",
    103: "Already Initialized",
    104: "Content Instance Terminated",
    111: "General Termination Failure",
    112: "Termination Before Initialization",
    113: "Termination After Termination",
    122: "Retrieve Data Before Initialization",
    123: "Retrieve Data After Termination",
    132: "Store Data Before Initialization",
    133: "Store Data After Termination",
    142: "Commit Before Initialization",
    143: "Commit After Termination",
    201: "General Argument Error",
    301: "General Get Failure",
    351: "General Set Failure",
    391: "General Commit Failure",
    401: "Undefined Data Model Element",
    402: "Unimplemented Data Model Element",
    403: "Data Model Element Value Not Initialized",
    404: "Data Model Element Is Read Only",
    405: "Data Model Element Is Write Only",
    406: "Data Model Element Type Mismatch",
    407: "Data Model Element Value Out Of Range",
    408: "Data Model Dependency Not Established",
  };

  var COMPLETION = vocabulary(["completed", "incomplete", "not attempted", "unknown"]);
  var SUCCESS = vocabulary(["passed", "failed", "unknown"]);
  var INTERACTION_TYPES = vocabulary([
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
    "likert", "numeric", "other",
  ]);
  var NAV_REQUEST = /^(continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_|\{target=[^}]+\}(choice|jump))$/;

  function model2004(config) {
    var table = {
      "cmi.comments_from_learner.n.comment": { access: "rw", check: localized(4000) },
      "cmi.comments_from_learner.n.location": { access: "rw", check: maxLength(250) },
      "cmi.comments_from_learner.n.timestamp": { access: "rw", check: pattern(TIMESTAMP) },
      "cmi.comments_from_lms.n.comment": { access: "ro" },
      "cmi.comments_from_lms.n.location": { access: "ro" },
      "cmi.comments_from_lms.n.timestamp": { access: "ro" },
      "cmi.completion_status": { access: "rw", check: COMPLETION, initial: "unknown" },
      "cmi.completion_threshold": { access: "ro" },
      "cmi.credit": { access: "ro" },
      "cmi.entry": { access: "ro" },
      "cmi.exit": { access: "wo", check: vocabulary(["time-out", "suspend", "logout", "normal", ""]) },
      "cmi.interactions.n.id": { access: "rw", check: identifier(4000) },
      "cmi.interactions.n.type": { access: "rw", check: INTERACTION_TYPES },
      "cmi.interactions.n.objectives.n.id": { access: "rw", check: identifier(4000) },
      "cmi.interactions.n.timestamp": { access: "rw", check: pattern(TIMESTAMP) },
      "cmi.interactions.n.correct_responses.n.pattern": { access: "rw", check: maxLength(4000) },
      "cmi.interactions.n.weighting": { access: "rw", check: pattern(REAL) },
      "cmi.interactions.n.learner_response": { access: "rw", check: maxLength(4000) },
      "cmi.interactions.n.result": {
        access: "rw",
        check: function (value) {
          return ["correct", "incorrect", "unanticipated", "neutral"].indexOf(value) >= 0 || REAL.test(value);
        },
      },
      "cmi.interactions.n.latency": { access: "rw", check: pattern(INTERVAL) },
      "cmi.interactions.n.description": { access: "rw", check: localized(250) },
      "cmi.launch_data": { access: "ro" },
      "cmi.learner_id": { access: "ro" },
      "cmi.learner_name": { access: "ro" },
      "cmi.learner_preference.audio_level": { access: "rw", check: realRange(0, null), initial: "1" },
      "cmi.learner_preference.language": { access: "rw", check: pattern(LANGUAGE), initial: "" },
      "cmi.learner_preference.delivery_speed": { access: "rw", check: realRange(0, null), initial: "1" },
      "cmi.learner_preference.audio_captioning": { access: "rw", check: vocabulary(["-1", "0", "1"]), initial: "0" },
      "cmi.location": { access: "rw", check: maxLength(1000) },
      "cmi.max_time_allowed": { access: "ro" },
      "cmi.mode": { access: "ro" },
      "cmi.objectives.n.id": { access: "rw", check: identifier(4000) },
      "cmi.objectives.n.score.scaled": { access: "rw", check: realRange(-1, 1) },
      "cmi.objectives.n.score.raw": { access: "rw", check: realRange(null, null) },
      "cmi.objectives.n.score.min": { access: "rw", check: realRange(null, null) },
      "cmi.objectives.n.score.max": { access: "rw", check: realRange(null, null) },
      "cmi.objectives.n.success_status": { access: "rw", check: SUCCESS, initial: "unknown" },
      "cmi.objectives.n.completion_status": { access: "rw", check: COMPLETION, initial: "unknown" },
      "cmi.objectives.n.progress_measure": { access: "rw", check: realRange(0, 1) },
      "cmi.objectives.n.description": { access: "rw", check: localized(250) },
      "cmi.progress_measure": { access: "rw", check: realRange(0, 1) },
      "cmi.scaled_passing_score": { access: "ro" },
      "cmi.score.scaled": { access: "rw", check: realRange(-1, 1) },
      "cmi.score.raw": { access: "rw", check: realRange(null, null) },
      "cmi.score.min": { access: "rw", check: realRange(null, null) },
      "cmi.score.max": { access: "rw", check: realRange(null, null) },
      "cmi.session_time": { access: "wo", check: pattern(INTERVAL) },
      "cmi.success_status": { access: "rw", check: SUCCESS, initial: "unknown" },
      "cmi.suspend_data": { access: "rw", check: maxLength(64000) },
      "cmi.time_limit_action": { access: "ro" },
      "cmi.total_time": { access: "ro" },
      "adl.nav.request": { access: "rw", check: pattern(NAV_REQUEST), initial: "_none_" },
    };
    var children = {
      "cmi.comments_from_learner": "comment,location,timestamp",
      "cmi.comments_from_lms": "comment,location,timestamp",
      "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description",
      "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
      "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
      "cmi.objectives.n.score": "scaled,raw,min,max",
      "cmi.score": "scaled,raw,min,max",
    };
    var arrays = [
      "cmi.comments_from_learner",
      "cmi.comments_from_lms",
      "cmi.interactions",
      "cmi.interactions.n.objectives",
      "cmi.interactions.n.correct_responses",
      "cmi.objectives",
    ];
    var learner = config.learner || {};
    var initial = {
      "cmi.credit": config.credit || "credit",
      "cmi.entry": "ab-initio",
      "cmi.learner_id": learner.id || "",
      "cmi.learner_name": learner.name || "",
      "cmi.mode": config.mode || "normal",
      "cmi.time_limit_action": "continue,no message",
      "cmi.total_time": "PT0H0M0S",
    };
    if (config.launchData) initial["cmi.launch_data"] = config.launchData;
    if (config.completionThreshold) initial["cmi.completion_threshold"] = config.completionThreshold;
    if (config.scaledPassingScore) initial["cmi.scaled_passing_score"] = config.scaledPassingScore;
    if (config.maxTimeAllowed) initial["cmi.max_time_allowed"] = config.maxTimeAllowed;
    (config.objectives || []).forEach(function (id, index) {
      initial["cmi.objectives." + index + ".id"] = id;
    });
    return new DataModel(compile(table), arrays, children, initial);
  }

  function Scorm2004(config) {
    var runtime = new Runtime({
      standard: "scorm2004",
      errors: ERRORS_2004,
      config: config,
      model: model2004(config),
      version: "1.0",
      codes: {
        getEmpty: 301, setEmpty: 351, undefined: 401, noChildren: 301, noCount: 301,
        keyword: 404, readOnly: 404, writeOnly: 405, type: 406, range: 407, outOfOrder: 351,
        getIndex: 301, notInitialized: 403,
      },
      // completion_status and success_status follow the thresholds the LMS knows
      evaluated: ["cmi.completion_status", "cmi.success_status"],
      computed: function (element) {
        var values = this.model.values;
        if (element === "cmi.completion_status" && values["cmi.completion_threshold"] !== undefined) {
          var progress = values["cmi.progress_measure"];
          if (progress === undefined) return "unknown";
          return parseFloat(progress) >= parseFloat(values["cmi.completion_threshold"]) ? "completed" : "incomplete";
        }
        if (element === "cmi.success_status" && values["cmi.scaled_passing_score"] !== undefined) {
          var scaled = values["cmi.score.scaled"];
          if (scaled === undefined) return "unknown";
          return parseFloat(scaled) >= parseFloat(values["cmi.scaled_passing_score"]) ? "passed" : "failed";
        }
        return null;
      },
      getSpecial: function (element) {
        var match = /^adl\.nav\.request_valid\.(continue|previous|choice\.\{target=[^}]+\}|jump\.\{target=[^}]+\})$/.exec(element);
        // The preview plays a single launch: no sequencing, so no request is known valid.
        if (match) return "unknown";
        if (/^adl\.nav\.request_valid\./.test(element)) return this.fail(401, element), "";
        return null;
      },
      // An array entry's id (and an interaction's type, before its responses) comes first.
      dependency: function (element) {
        var match = /^(cmi\.(?:interactions|objectives|comments_from_learner)\.\d+)\.(.+)$/.exec(element);
        if (!match || match[2] === "id" || /^cmi\.comments_from_learner/.test(match[1])) return 0;
        if (this.model.values[match[1] + ".id"] === undefined) return 408;
        var needsType = /^(correct_responses\.|learner_response$)/.test(match[2]);
        if (needsType && this.model.values[match[1] + ".type"] === undefined) return 408;
        return 0;
      },
      // Identifiers are unique within their array.
      unique: function (element, value) {
        var match = /^(cmi\.(?:objectives|interactions\.\d+\.objectives))\.(\d+)\.id$/.exec(element);
        if (!match) return 0;
        var count = this.model.count(match[1]);
        for (var i = 0; i < count; i++) {
          if (String(i) !== match[2] && this.model.values[match[1] + "." + i + ".id"] === value) return 351;
        }
        return 0;
      },
    });
    this._runtime = runtime;
    this.version = "1.0";

    function guarded(name, args, before, after, fallback, body) {
      return runtime.guard(name, args, fallback, before, after, body);
    }

    this.Initialize = function (parameter) {
      return runtime.initialize("Initialize", parameter, 103, 104);
    };
    this.Terminate = function (parameter) {
      return guarded("Terminate", [parameter], 112, 113, "false", function () {
        if (parameter !== undefined && parameter !== "") return runtime.fail(201), "false";
        var saved = runtime.post("terminate");
        runtime.state = "terminated";
        if (!saved) return runtime.fail(111, "The server did not store the data."), "false";
        if (typeof config.onFinish === "function") config.onFinish(runtime.model.values["adl.nav.request"]);
        return "true";
      });
    };
    this.GetValue = function (element) {
      return guarded("GetValue", [element], 122, 123, "", function () {
        var value = runtime.getValue(element);
        return value === undefined ? "" : String(value);
      });
    };
    this.SetValue = function (element, value) {
      return guarded("SetValue", [element, value], 132, 133, "false", function () {
        return bool(runtime.setValue(element, value) === true);
      });
    };
    this.Commit = function (parameter) {
      return guarded("Commit", [parameter], 142, 143, "false", function () {
        return runtime.commit(parameter, 391);
      });
    };
    this.GetLastError = function () {
      return String(runtime.lastError);
    };
    this.GetErrorString = function (code) {
      return runtime.errorString(code);
    };
    this.GetDiagnostic = function (code) {
      return runtime.diagnosticOf(code);
    };
  }

  global.TeslaScormRuntime = { Scorm12: Scorm12, Scorm2004: Scorm2004 };
})(window);
