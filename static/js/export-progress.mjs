// An export's page (issue 22) follows its progress without a page load: it asks the page's
// progress address every two seconds, moves the progress bar and the status text (a live
// region), and loads the page again once the export is ready or has failed, to show the
// download. Without JavaScript the page has a "Check again" link.
const region = document.querySelector("[data-export-progress]");

async function poll() {
  let answer;
  try {
    const response = await fetch(region.dataset.exportProgress, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    answer = await response.json();
  } catch {
    return;
  } finally {
    if (!answer || answer.in_progress) window.setTimeout(poll, 2000);
  }
  region.querySelector("progress").value = answer.percent;
  region.querySelector("progress").textContent = `${answer.percent}%`;
  region.querySelector("[data-export-status]").textContent = answer.status;
  if (!answer.in_progress) window.location.reload();
}

if (region) window.setTimeout(poll, 2000);
