// The connect form: choosing a use ticks the scopes it needs (the hub adds them anyway
// when the form is sent, so the form works without this script too).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[name=feature][data-scopes]")) {
    return;
  }
  var form = box.form;
  var needed = {};
  form.querySelectorAll("input[name=feature][data-scopes]:checked").forEach(function (f) {
    f.getAttribute("data-scopes").split(" ").forEach(function (s) { if (s) { needed[s] = true; } });
  });
  box.getAttribute("data-scopes").split(" ").forEach(function (s) {
    var scope = form.querySelector("input[name=scope][value='" + s + "']");
    if (scope) {
      scope.checked = !!needed[s] || (box.checked && scope.checked);
    }
  });
});

// Times in the reader's own format and time zone: the page says UTC (a <time> element with
// its instant in `datetime`), the browser rewrites it and keeps the UTC text as a tooltip.
function localTimes() {
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var at = new Date(t.getAttribute("datetime"));
    if (isNaN(at.getTime()) || t.hasAttribute("data-local")) {
      return;
    }
    t.title = t.textContent + " UTC";
    t.textContent = at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
    t.setAttribute("data-local", "");
  });
}
document.addEventListener("DOMContentLoaded", localTimes);

// The recipe editor: picking a connection rewrites the file's `connection:` line at once
// (the hub does the same when the form is sent, so this is a convenience).
document.addEventListener("change", function (event) {
  var pick = event.target;
  if (!pick.matches || !pick.matches("select#connection-pick") || !pick.value) {
    return;
  }
  var source = document.getElementById(pick.getAttribute("data-target"));
  if (!source) {
    return;
  }
  var line = "connection: " + pick.value;
  if (/^connection:.*$/m.test(source.value)) {
    source.value = source.value.replace(/^connection:.*$/m, line);
  } else {
    source.value = line + "\n" + source.value;
  }
});
