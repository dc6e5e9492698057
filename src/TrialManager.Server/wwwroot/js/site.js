// Progressive enhancement only: every page works without this file.
// Formulation preview: the same rule the server applies on save (top factor must lead the next by minMargin;
// ties keep the order cognitive, interpersonal, behavioral, environmental). The server's answer is the one kept.
(function () {
  "use strict";
  var form = document.getElementById("rating-form");
  var output = document.getElementById("primary-preview");
  if (!form || !output) { return; }
  var order = ["cognitive", "interpersonal", "behavioral", "environmental"];
  var minMargin = parseInt(form.getAttribute("data-min-margin"), 10) || 1;
  var allowed = (form.getAttribute("data-formulations") || "").split(",");

  function update() {
    var scores = [];
    for (var i = 0; i < order.length; i++) {
      var input = form.querySelector("[data-factor='" + order[i] + "']");
      var text = input ? input.value.trim() : "";
      var value = Number(text);
      if (text === "" || !Number.isInteger(value) || value < 0 || value > 4) {
        output.textContent = "enter all four ratings (0 to 4)";
        return;
      }
      scores.push({ factor: order[i], value: value, index: i });
    }
    scores.sort(function (a, b) { return b.value - a.value || a.index - b.index; });
    if (scores[0].value - scores[1].value < minMargin) {
      output.textContent = "indeterminate (needs a consensus rating)";
    } else if (allowed.indexOf(scores[0].factor) < 0) {
      output.textContent = scores[0].factor + " (not a formulation of this trial: the participant would be excluded)";
    } else {
      output.textContent = scores[0].factor;
    }
  }

  form.addEventListener("input", update);
  update();
})();
