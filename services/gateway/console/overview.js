// The overview: how far the partner's phones have come.

import { api } from "./api.js";
import { funnel } from "./charts.js";
import { h, replace } from "./dom.js";

export async function render(main) {
  const summary = await api("GET", "/devices:summary");
  replace(main,
    h("h1", {}, "Overview"),
    h("section", { class: "card", "aria-labelledby": "funnel-title" },
      h("h2", { id: "funnel-title" }, "Onboarding funnel"),
      h("p", { class: "help" }, "Every phone you claimed, and how many of them were redirected to you, " +
        "registered with the cloud and acquired their profile."),
      funnel(summary)),
    h("p", {}, h("a", { href: "/console/phones" }, "See every phone"), " · ",
      h("a", { href: "/console/claim" }, "Claim phones from a CSV")));
}
