// The partner's phones, paged and filtered on the server: by the start of
// the MAC, site, model and customization state; each with its site,
// firmware and last contact.

import { api } from "./api.js";
import { enumLabel, h, normalMac, notice, pager, replace, when } from "./dom.js";

const states = ["", "CUSTOMIZATION_STATE_OPEN", "CUSTOMIZATION_STATE_PENDING", "CUSTOMIZATION_STATE_CUSTOM_PENDING",
                "CUSTOMIZATION_STATE_ACQUIRED", "CUSTOMIZATION_STATE_ABORTED", "CUSTOMIZATION_STATE_UNAVAILABLE"];
const pageSize = 50;

export function stateBadge(state) {
  const kind = { CUSTOMIZATION_STATE_ACQUIRED: "good", CUSTOMIZATION_STATE_ABORTED: "bad",
                 CUSTOMIZATION_STATE_UNAVAILABLE: "bad", CUSTOMIZATION_STATE_CUSTOM_PENDING: "warn" }[state] ?? "";
  return h("span", { class: `badge ${kind}` }, enumLabel(state || "CUSTOMIZATION_STATE_OPEN", "CUSTOMIZATION_STATE_"));
}

export async function render(main) {
  const query = new URLSearchParams(location.search);
  const filters = { mac: query.get("mac") ?? "", site: query.get("site") ?? "", model: query.get("model") ?? "",
                    state: query.get("state") ?? "" };
  const macInput = h("input", { id: "mac", name: "mac", value: filters.mac, placeholder: "first digits, or all",
                                autocomplete: "off" });
  const siteInput = h("input", { id: "site", name: "site", value: filters.site, placeholder: "lisbon" });
  const modelInput = h("input", { id: "model", name: "model", value: filters.model, placeholder: "CP-8851-3PCC" });
  const stateSelect = h("select", { id: "state", name: "state" },
    states.map((state) => h("option", { value: state, selected: state === filters.state },
      state ? enumLabel(state, "CUSTOMIZATION_STATE_") : "Any state")));
  const results = h("div", {});
  const form = h("form", { class: "inline", role: "search", "aria-label": "Find phones" },
    h("div", { class: "field" }, h("label", { for: "mac" }, "MAC"), macInput),
    h("div", { class: "field" }, h("label", { for: "site" }, "Site"), siteInput),
    h("div", { class: "field" }, h("label", { for: "model" }, "Model"), modelInput),
    h("div", { class: "field" }, h("label", { for: "state" }, "State"), stateSelect),
    h("button", { type: "submit" }, "Find"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, input] of [["mac", macInput], ["site", siteInput], ["model", modelInput],
                                 ["state", stateSelect]]) {
      if (input.value.trim()) next.set(name, input.value.trim());
    }
    history.replaceState(null, "", `?${next}`);
    show(results, { mac: macInput.value, site: siteInput.value.trim(), model: modelInput.value.trim(),
                    state: stateSelect.value }, [""]);
  });
  replace(main, h("h1", {}, "Phones"), h("section", { class: "card" }, form), results);
  await show(results, filters, [""]);
}

// Shows the page whose token is the last of `tokens` (the ones before it
// lead back).
async function show(results, filters, tokens) {
  const prefix = filters.mac.trim().toLowerCase().replace(/[:.-]/g, "");
  if (!/^[0-9a-f]{0,12}$/.test(prefix)) {
    replace(results, notice("error", "A MAC is up to 12 hex digits (colons and dashes are fine)."));
    return;
  }
  replace(results, h("p", { class: "loading" }, "Loading…"));
  let page;
  try {
    page = await api("GET", "/devices", { query: { mac_prefix: prefix, site: filters.site, model: filters.model,
                                                   state: filters.state, page_size: pageSize,
                                                   page_token: tokens.at(-1) } });
  } catch (error) {
    replace(results, notice("error", error.message));
    return;
  }
  const devices = page.devices ?? [];
  const exact = normalMac(filters.mac);
  if (devices.length === 0) {
    replace(results, notice("ok", exact ? `No phone ${exact} is yours.` : "No phones match."));
    return;
  }
  const table = h("table", {},
    h("caption", { class: "help" }, `Phones ${(tokens.length - 1) * pageSize + 1}–` +
      `${(tokens.length - 1) * pageSize + devices.length}`),
    h("thead", {}, h("tr", {}, ["MAC", "Model", "Site", "State", "Firmware", "Last contact", "Registered"].map(
      (title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, devices.map((device) => h("tr", {},
      h("td", { class: "mono" }, h("a", { href: `/console/phones/${device.mac}` }, device.mac)),
      h("td", {}, device.model || "—"),
      h("td", {}, device.site || "—"),
      h("td", {}, stateBadge(device.state)),
      h("td", { class: "mono" }, device.activity?.firmware_version || "—"),
      h("td", {}, when(device.activity?.last_contact_time)),
      h("td", {}, device.registered ? "yes" : "no")))));
  replace(results, table, pager(tokens, page.page?.next_page_token, (moved) => show(results, filters, moved)));
}
