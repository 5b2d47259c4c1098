// The SPARQL editor page: YASGUI (vendored, static/vendor/yasgui) against this server's /sparql, with a picker
// of the project's named queries (queries/*.rq, embedded in the page by the server).
(function () {
  "use strict";

  var holder = document.getElementById("yasgui");
  var data = document.getElementById("named-queries");
  if (!holder || !data || !window.Yasgui) return;
  var named = JSON.parse(data.textContent);
  var byName = {};
  named.forEach(function (q) { byName[q.name] = q; });
  var endpoint = new URL(holder.dataset.endpoint, window.location.href).href;

  var Yasgui = window.Yasgui.default || window.Yasgui.Yasgui || window.Yasgui;
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null, // the page always opens with the named query chosen, not the last session's tabs
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: {
      // "properties" and "classes" ask an outside service (LOV) for completions: off, the page works offline
      autocompleters: ["prefixes", "variables"],
      editorHeight: "340px",
    },
    yasr: { defaultPlugin: "table" },
  });

  var select = document.getElementById("query-name");
  var params = document.getElementById("query-params");
  var description = document.getElementById("query-description");
  var link = document.getElementById("query-link");

  function today() {
    var d = new Date();
    var m = String(d.getMonth() + 1).padStart(2, "0");
    var day = String(d.getDate()).padStart(2, "0");
    return d.getFullYear() + "-" + m + "-" + day;
  }

  function initial(p) {
    if (p.default === "today") return today();
    if (p.default !== null && p.default !== undefined) return p.default;
    return p.example || "";
  }

  function renderParams(q) {
    params.textContent = "";
    q.params.forEach(function (p) {
      var box = document.createElement("div");
      var label = document.createElement("label");
      var input;
      label.textContent = p.name + " (" + p.type + ")";
      label.htmlFor = "param-" + p.name;
      if (p.type === "xsd:boolean") {
        input = document.createElement("select");
        ["false", "true"].forEach(function (v) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = v;
          input.appendChild(o);
        });
        input.value = initial(p) === "true" ? "true" : "false";
      } else {
        input = document.createElement("input");
        input.type = p.type === "xsd:date" ? "date" : "text";
        input.value = initial(p);
        if (p.type === "iri") input.size = 48;
      }
      input.id = "param-" + p.name;
      input.dataset.param = p.name;
      input.dataset.type = p.type;
      input.addEventListener("change", updateLink);
      box.appendChild(label);
      box.appendChild(input);
      params.appendChild(box);
    });
    description.textContent = q.description;
    updateLink();
  }

  function values() {
    var out = [];
    params.querySelectorAll("[data-param]").forEach(function (input) {
      out.push({ name: input.dataset.param, type: input.dataset.type, value: input.value });
    });
    return out;
  }

  function updateLink() {
    var q = byName[select.value];
    var search = new URLSearchParams();
    values().forEach(function (v) { search.set(v.name, v.value); });
    search.set("format", "json");
    link.href = q.url + "?" + search.toString();
  }

  // A value as SPARQL term text, for the VALUES line the user sees (and may edit) in the editor.
  function term(v) {
    if (v.type === "xsd:boolean") return v.value === "true" ? "true" : "false";
    if (v.type === "xsd:integer") return /^-?\d+$/.test(v.value) ? v.value : "0";
    if (v.type === "iri") return "<" + v.value.replace(/[\s<>"{}|^`\\]/g, "") + ">";
    var s = '"' + v.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
    return v.type === "xsd:date" ? s + "^^xsd:date" : s;
  }

  // The server's predeclared prefixes, written out so that the editor (which checks prefixes) and any other
  // endpoint accept the query, and the results table shortens IRIs with them.
  var prefixes = JSON.parse(document.getElementById("sparql-prefixes").textContent);

  function withPrefixes(text) {
    var lines = text.split("\n");
    var at = 0;
    while (at < lines.length && /^\s*(#.*)?$/.test(lines[at])) at++;
    var declared = Object.keys(prefixes)
      .filter(function (p) { return new RegExp("\\b" + p + ":").test(text); })
      .map(function (p) { return "PREFIX " + p + ": <" + prefixes[p] + ">"; });
    return lines.slice(0, at).concat(declared, lines.slice(at)).join("\n");
  }

  function withValues(text, vals) {
    if (!vals.length) return text;
    var where = /\bWHERE\s*\{/i.exec(text);
    if (!where) return text;
    var at = where.index + where[0].length;
    var line =
      "\n  # tham số của truy vấn (sửa giá trị tại đây)\n  VALUES (" +
      vals.map(function (v) { return "?" + v.name; }).join(" ") +
      ") { (" + vals.map(term).join(" ") + ") }";
    return text.slice(0, at) + line + text.slice(at);
  }

  function load(run) {
    var q = byName[select.value];
    var tab = yasgui.getTab();
    tab.setQuery(withPrefixes(withValues(q.text, values())));
    if (run) tab.query();
  }

  select.addEventListener("change", function () { renderParams(byName[select.value]); });
  document.getElementById("query-load").addEventListener("click", function () { load(true); });
  renderParams(byName[select.value]);
  load(false);
  window.tthcYasgui = yasgui; // for the UI tests and the curious
})();
