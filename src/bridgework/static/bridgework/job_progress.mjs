// Progressive enhancement of a job's progress page: without JavaScript the page reloads
// itself (a <noscript> refresh); with it, the live region is updated in place, so screen
// readers announce the new count, and polling stops once the job has finished.
const region = document.querySelector("[data-job-status]");
if (region && region.dataset.jobActive === "true") {
  const seconds = Number(region.dataset.refreshSeconds) || 3;
  const poll = async () => {
    let next;
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      next = page.querySelector("[data-job-status]");
      const summary = page.querySelector(".govuk-summary-list");
      if (summary) document.querySelector(".govuk-summary-list")?.replaceWith(summary);
    } catch {
      window.setTimeout(poll, seconds * 1000 * 2);
      return;
    }
    if (!next) return;
    region.replaceChildren(...next.childNodes);
    region.dataset.jobActive = next.dataset.jobActive;
    if (next.dataset.jobActive === "true") window.setTimeout(poll, seconds * 1000);
  };
  window.setTimeout(poll, seconds * 1000);
}
