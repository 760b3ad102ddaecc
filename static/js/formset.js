// Adds a blank row to a formset without reloading the page. Without JavaScript, the same
// button submits the form and the server redisplays it with one more row (nothing saved).
document.querySelectorAll("[data-formset]").forEach(function (box) {
  var prefix = box.dataset.formset;
  var total = box.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
  var template = box.querySelector("template");
  var rows = box.querySelector("[data-rows]");
  var button = box.querySelector('button[name="add_row"]');
  if (!total || !template || !rows || !button) return;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
    if (first) first.focus();
  });
});
