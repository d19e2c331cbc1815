import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// The skip link moves focus to the main content; its "#main-content" must not stay in the
// address, where a form's post and its redirect would carry it to every later page.
function dropSkipTarget() {
  if (window.location.hash === "#main-content") {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
}
dropSkipTarget(); // one carried here by a redirect
window.addEventListener("hashchange", dropSkipTarget);
