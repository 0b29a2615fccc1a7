// Progressive enhancement: mark the page as able to run GOV.UK Frontend, then start it.
// Loaded as a module, so only browsers that support ES modules run it (as GOV.UK Frontend needs).
import { initAll } from "../dist/js/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
