// The running total of the scores typed in a self-assessment or a review. The server computes the
// total that counts; this only shows it while typing. No inline handlers (Content-Security-Policy).
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-total]");
  if (!form) return;
  var outputs = form.querySelectorAll("[data-live-total-value]");
  var verdicts = form.querySelectorAll("[data-live-verdict]");
  var texts = document.getElementById("verdict-texts");
  var passScore = parseFloat(form.getAttribute("data-pass-score"));

  function update() {
    var total = 0, complete = true, decisiveFailed = false;
    form.querySelectorAll("input.score").forEach(function (input) {
      var value = parseFloat(input.value);
      if (isNaN(value)) { complete = false; return; }
      total += value;
      var marker = input.parentNode.querySelector("[data-decisive]");
      if (marker && value < parseFloat(marker.getAttribute("data-decisive"))) decisiveFailed = true;
    });
    // A condition (否决项) counts nothing; not met, the village fails; no finding yet, the review is not complete.
    form.querySelectorAll("[data-condition]").forEach(function (condition) {
      var chosen = condition.querySelector("input:checked");
      if (!chosen || !chosen.value) complete = false;
      else if (chosen.value === "no") decisiveFailed = true;
    });
    outputs.forEach(function (output) { output.textContent = String(Math.round(total * 10) / 10); });
    if (texts && !isNaN(passScore)) {
      var passes = complete && total >= passScore && !decisiveFailed;
      verdicts.forEach(function (verdict) {
        verdict.textContent = texts.content.querySelector(passes ? "[data-pass]" : "[data-fail]").textContent;
        verdict.className = passes ? "verdict-pass" : "verdict-fail";
      });
    }
  }
  form.addEventListener("input", update);
  update();
})();
