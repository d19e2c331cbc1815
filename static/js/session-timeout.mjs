// Warn before the idle time-out, keep what is being typed, and never lose a form.
//
// The server counts idleness from the last page or form post (or "Stay signed in"). Here:
// - forms marked data-keep-draft are saved in the background (this does not count as activity);
// - a dialog warns SESSION_WARNING_SECONDS before the time-out: stay signed in, or sign out;
// - at the time-out, the draft is saved and the page reloads, which leads to sign-in and back.
const body = document.body;
const idleSeconds = Number(body.dataset.sessionIdleSeconds);
// The server's own count (idle or absolute limit, whichever ends first) when the page was made.
const secondsLeftAtLoad = Number(body.dataset.sessionSecondsLeft || idleSeconds);
const warningSeconds = Number(body.dataset.sessionWarningSeconds);
const dialog = document.getElementById("session-timeout-dialog");
const draftForms = Array.from(document.querySelectorAll("form[data-keep-draft]"));
const SAVE_EVERY_MS = 5000;
// A refused form sent to a POST-only address is shown with its page's own address, so that a
// reload or a bookmark asks for the page (never the POST-only address, which answers no GET).
const formPage = body.dataset.formPage;
if (formPage && formPage !== window.location.pathname) {
  for (const form of document.querySelectorAll("form")) {
    if (!form.hasAttribute("action")) form.setAttribute("action", window.location.pathname);
  }
  window.history.replaceState(null, "", formPage);
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value !== "string" || name === "csrfmiddlewaretoken") continue;
    if (name in fields) {
      fields[name] = [].concat(fields[name], value);
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

const lastSaved = new Map();
// Only forms someone has typed into are saved: a fresh, empty form must never overwrite
// the draft kept from before a time-out.
const changed = new Set();

async function saveDrafts() {
  for (const form of draftForms) {
    if (!changed.has(form)) continue;
    const fields = JSON.stringify(formFields(form));
    if (lastSaved.get(form) === fields) continue;
    const data = new URLSearchParams({ path: formPage || window.location.pathname, fields });
    try {
      const response = await fetch(body.dataset.draftUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body: data,
        credentials: "same-origin",
        redirect: "manual",
      });
      // Only a 204 means kept (a redirect means the session has ended).
      if (response.status === 204) lastSaved.set(form, fields);
    } catch {
      // Offline for a moment: the next save will try again.
    }
  }
}

function restoreDraft() {
  const source = document.getElementById("draft-data");
  if (!source || !draftForms.length) return;
  const fields = JSON.parse(source.textContent);
  // The draft belongs to the form on this page whose fields it names most.
  const matching = (candidate) =>
    Array.from(candidate.elements).filter((element) => element.name in fields).length;
  const form = draftForms.reduce((best, candidate) =>
    matching(candidate) > matching(best) ? candidate : best,
  );
  for (const [name, value] of Object.entries(fields)) {
    const values = [].concat(value);
    for (const element of form.elements) {
      if (element.name !== name) continue;
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        for (const option of element.options) option.selected = values.includes(option.value);
      } else {
        element.value = values[0];
      }
    }
  }
  changed.add(form);
  const banner = document.querySelector("[data-draft-banner]");
  if (banner) banner.hidden = true;
  const first = form.querySelector("input:not([type=hidden]), textarea, select");
  if (first) first.focus();
}

let warningTimer;
let expiryTimer;

function startClock(secondsLeft) {
  clearTimeout(warningTimer);
  clearTimeout(expiryTimer);
  warningTimer = setTimeout(openWarning, Math.max(0, secondsLeft - warningSeconds) * 1000);
  // A little after the server's own limit, so that the reload finds the session ended.
  expiryTimer = setTimeout(expire, (secondsLeft + 2) * 1000);
}

function openWarning() {
  const minutes = Math.max(1, Math.round(warningSeconds / 60));
  dialog.querySelector("[data-timeout-minutes]").textContent =
    minutes === 1 ? "1 minute" : `${minutes} minutes`;
  saveDrafts();
  if (!dialog.open) dialog.showModal();
}

async function staySignedIn() {
  let answer = null;
  try {
    const response = await fetch(body.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      redirect: "manual",
    });
    if (response.status === 200) answer = await response.json();
  } catch {
    answer = null;
  }
  if (answer === null) {
    // The session has already ended: go to sign-in, keeping what was typed.
    expire();
    return;
  }
  dialog.close();
  startClock(answer.seconds_left);
}

async function expire() {
  await saveDrafts();
  window.location.assign(window.location.pathname + window.location.search);
}

if (dialog && idleSeconds) {
  dialog.querySelector("[data-stay-signed-in]").addEventListener("click", staySignedIn);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  startClock(secondsLeftAtLoad);
}
if (draftForms.length) {
  setInterval(saveDrafts, SAVE_EVERY_MS);
  for (const form of draftForms) {
    form.addEventListener("input", () => changed.add(form));
    form.addEventListener("change", () => changed.add(form));
    form.addEventListener("submit", () => changed.delete(form));
  }
}
const restoreButton = document.querySelector("[data-restore-draft]");
if (restoreButton) restoreButton.addEventListener("click", restoreDraft);
