// Recording a contact (issue 17) without a page load per person:
// - "Look for this child/adult" posts the typed details to the matching endpoint (in the
//   request body, never in a URL) and shows the candidates in place;
// - "Add another child/adult" adds a row from the page's <template>;
// - on "Check your answers", "Apply this to the other children" copies a child's decision,
//   level of need and rationale to the others, whose "what now" is still theirs to choose.
// - a known child's adults and siblings are shown under that child only once chosen.
// Without JavaScript each of these buttons posts the form and the page comes back, and
// every candidate's adults and siblings are shown.
import { initAll } from "../govuk/govuk-frontend.min.js";

const PERSON_FIELDS = ["first_name", "last_name", "date_of_birth", "nhs_number"];

function csrfToken(form) {
  const field = form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

async function find(form, button) {
  const prefix = button.dataset.find;
  const [kind, row] = prefix.split("_");
  const body = new URLSearchParams({ kind, row });
  for (const name of PERSON_FIELDS) {
    const field = form.elements.namedItem(`${prefix}_${name}`);
    body.set(name, field ? field.value : "");
  }
  let response;
  try {
    response = await fetch(form.dataset.matchesUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(form) },
      body,
      credentials: "same-origin",
      redirect: "manual",
    });
  } catch {
    response = null;
  }
  if (!response || response.status !== 200) {
    // Signed out, or offline: the page itself looks (and keeps what was typed).
    form.requestSubmit(button);
    return;
  }
  const target = document.getElementById(`${prefix}-matches`);
  // A choice made while the lookup was on its way is kept, not wiped by the fresh list.
  const chosen = target.querySelector(`input[name="${prefix}_match"]:checked`);
  target.innerHTML = await response.text();
  if (chosen) {
    for (const radio of target.querySelectorAll(`input[name="${prefix}_match"]`)) {
      radio.checked = radio.value === chosen.value;
    }
  }
  initAll({ scope: target });
  showOffered(target);
  const first = target.querySelector("input, .govuk-error-message");
  (first || target).focus();
}

function addRow(form, button) {
  const kind = button.dataset.addRow;
  const count = form.querySelector(`[data-row-count="${kind}"]`);
  const rows = form.querySelector(`[data-rows="${kind}"]`);
  const template = document.getElementById(`${kind}-row-template`);
  const n = Number(count.value);
  const html = template.innerHTML
    .replaceAll("__row__", String(n))
    .replaceAll("__number__", String(n + 1));
  rows.insertAdjacentHTML("beforeend", html);
  count.value = String(n + 1);
  if (n + 1 >= Number(button.dataset.max)) button.hidden = true;
  const added = rows.lastElementChild;
  initAll({ scope: added });
  added.querySelector("input").focus();
}

// Only the chosen candidate's "Also add to this contact" is shown (GOV.UK's conditional reveal
// sets aria-expanded on a radio, which assistive technology does not expect).
function showOffered(scope) {
  for (const block of scope.querySelectorAll("[data-offered-for]")) {
    const radio = document.getElementById(block.dataset.offeredFor);
    block.hidden = !(radio && radio.checked);
  }
}

const contactForm = document.querySelector("form[data-contact-form]");
if (contactForm) {
  showOffered(contactForm);
  contactForm.addEventListener("change", (event) => {
    if (event.target.matches("input[type=radio][name$=_match]")) {
      showOffered(event.target.closest(".app-matches") || contactForm);
    }
  });
  contactForm.addEventListener("click", (event) => {
    const findButton = event.target.closest("button[data-find]");
    if (findButton) {
      event.preventDefault();
      find(contactForm, findButton);
      return;
    }
    const addButton = event.target.closest("button[data-add-row]");
    if (addButton) {
      event.preventDefault();
      addRow(contactForm, addButton);
    }
  });
}

function applyToOthers(form, button) {
  const from = button.dataset.applyFrom;
  const field = (n, name) => `decision_${n}_${name}`;
  const checked = (name) => form.querySelector(`input[name="${name}"]:checked`);
  const outcome = checked(field(from, "outcome"));
  const level = checked(field(from, "level_of_need"));
  const rationale = form.elements.namedItem(field(from, "rationale")).value;
  for (const block of form.querySelectorAll("[data-proposal]")) {
    const n = block.dataset.proposal;
    if (n === from) continue;
    for (const [name, value] of [["outcome", outcome], ["level_of_need", level]]) {
      for (const radio of form.querySelectorAll(`input[name="${field(n, name)}"]`)) {
        radio.checked = value !== null && radio.value === value.value;
      }
    }
    form.elements.namedItem(field(n, "rationale")).value = rationale;
  }
  const status = form.querySelector("[data-apply-status]");
  if (status) {
    status.textContent =
      "Copied to the other children. Check it fits each child, and choose what now for each.";
  }
}

const proposalsForm = document.querySelector("form[data-proposals]");
if (proposalsForm) {
  proposalsForm.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-apply-from]");
    if (button) {
      event.preventDefault();
      applyToOthers(proposalsForm, button);
    }
  });
}
