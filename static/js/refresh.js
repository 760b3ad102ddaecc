// Refreshes part of a page from the server when a field changes, without reloading it:
// an element `<div id="…" data-refresh-from="<field id>" data-refresh-param="<name>">` is
// replaced by the element with the same id in the page fetched with `?<name>=<value>`
// (the meeting's expected members for its date; the people found by a search). Choices
// already made in rows marked `data-row-key` are kept. Without JavaScript, a button of the
// form (`.registry-no-js`, hidden here) asks the server for the same refreshed page.
(function () {
  document.querySelectorAll(".registry-no-js").forEach(function (el) { el.hidden = true; });

  function suffix(name) { return name.replace(/^.*-\d+-/, ""); }

  function remember(box) {
    var kept = {};
    box.querySelectorAll("[data-row-key]").forEach(function (row) {
      var values = {};
      row.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked, select").forEach(function (input) {
        values[suffix(input.name) + (input.type === "checkbox" ? ":" + input.value : "")] = input.value;
      });
      kept[row.dataset.rowKey] = values;
    });
    return kept;
  }

  function restore(box, kept) {
    box.querySelectorAll("[data-row-key]").forEach(function (row) {
      var values = kept[row.dataset.rowKey];
      if (!values) return;
      row.querySelectorAll("input[type=radio], input[type=checkbox], select").forEach(function (input) {
        var key = suffix(input.name);
        if (input.type === "radio") input.checked = values[key] === input.value;
        else if (input.type === "checkbox") input.checked = (key + ":" + input.value) in values;
        else if (key in values) input.value = values[key];
      });
    });
  }

  document.querySelectorAll("[data-refresh-from]").forEach(function (box) {
    var field = document.getElementById(box.dataset.refreshFrom);
    if (!field) return;
    var timer = null;
    var asked = 0;
    function refresh() {
      var mine = ++asked;
      var url = new URL(window.location.href);
      url.search = "";
      url.searchParams.set(box.dataset.refreshParam, field.value);
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || mine !== asked) return;  // a later change asked again
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(box.id);
          if (!fresh) return;
          var kept = remember(box);
          box.innerHTML = fresh.innerHTML;
          restore(box, kept);
          box.dispatchEvent(new CustomEvent("registry:refreshed", { bubbles: true }));
        })
        .catch(function () { /* the no-JavaScript path still works: the server checks */ });
    }
    var wait = field.type === "search" || field.type === "text" ? 300 : 0;
    field.addEventListener(wait ? "input" : "change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, wait);
    });
    if (wait) {
      // Enter in a search field searches; it does not send the whole form.
      field.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        window.clearTimeout(timer);
        refresh();
      });
    }
  });
})();
