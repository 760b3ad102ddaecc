// The export page's « Tout cocher »: checks or unchecks every column. A static script (the
// Content-Security-Policy blocks the library's inline onchange handler).
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("input.select-toggle");
  if (!toggle) return;
  const boxes = () =>
    document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]:not(.select-toggle)');
  toggle.addEventListener("change", () => {
    boxes().forEach((box) => {
      box.checked = toggle.checked;
    });
  });
  // Unchecking one column unchecks « Tout cocher »; checking them all checks it again.
  boxes().forEach((box) => {
    box.addEventListener("change", () => {
      toggle.checked = Array.from(boxes()).every((b) => b.checked);
    });
  });
});
