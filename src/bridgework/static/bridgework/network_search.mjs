// Accessible autocomplete for the network survey: a combobox over the server's search endpoint.
// Without JavaScript the same form submits and the server lists at most ten matches.
// Its words come translated from the page's data-text-* attributes (no inline script: the CSP).
const form = document.querySelector(".bw-colleague-search");
if (form) {
  const input = form.querySelector("input[name=q]");
  const list = document.createElement("ul");
  list.id = "colleague-q-listbox";
  list.setAttribute("role", "listbox");
  list.className = "govuk-list bw-listbox";
  list.hidden = true;
  input.after(list);
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  form.append(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  let results = [];
  let active = -1;
  let timer = null;
  const minChars = Number(form.dataset.minChars) || 3;
  const text = {
    tooMany: form.dataset.textTooMany || "Too many searches. Try again later.",
    one: form.dataset.textCountOne || "1 match",
    many: form.dataset.textCountMany || "{count} matches",
  };
  const target = (id) => form.dataset.colleagueUrl.replace(/\/0\/$/, `/${id}/`);
  const render = () => {
    list.replaceChildren(
      ...results.map((r, i) => {
        const li = document.createElement("li");
        li.id = `colleague-option-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === active));
        li.className = i === active ? "bw-option bw-option--active" : "bw-option";
        li.textContent = r.organisation ? `${r.name} (${r.organisation})` : r.name;
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          window.location.assign(target(r.id));
        });
        return li;
      }),
    );
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", String(results.length > 0));
    if (active >= 0) input.setAttribute("aria-activedescendant", `colleague-option-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const lookup = async () => {
    const q = input.value.trim();
    if (q.length < minChars) {
      results = [];
      active = -1;
      render();
      return;
    }
    const response = await fetch(`${form.dataset.searchUrl}?q=${encodeURIComponent(q)}`, {
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      if (response.status === 429) status.textContent = text.tooMany;
      return;
    }
    results = (await response.json()).results;
    active = -1;
    render();
    status.textContent =
      results.length === 1 ? text.one : text.many.replace("{count}", String(results.length));
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && results.length) {
      active = (active + 1) % results.length;
      render();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && results.length) {
      active = (active - 1 + results.length) % results.length;
      render();
      event.preventDefault();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(target(results[active].id));
    } else if (event.key === "Escape") {
      results = [];
      active = -1;
      render();
    }
  });
}
