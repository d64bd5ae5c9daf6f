// Parameters of the partner's layers (the whole partner, a site, a model):
// edited in place and saved with set-parameters, which keeps what is not
// named. An error names the field (parameters[2].value), shown on that input.

import { api } from "./api.js";
import { h, notice, replace } from "./dom.js";

const scopes = [
  { value: "partner", label: "All my phones", needsKey: false },
  { value: "site", label: "A site", needsKey: true },
  { value: "model", label: "A model", needsKey: true },
];

export async function render(main) {
  const query = new URLSearchParams(location.search);
  const scope = h("select", { id: "scope" }, scopes.map((option) =>
    h("option", { value: option.value, selected: option.value === (query.get("scope") ?? "partner") }, option.label)));
  const key = h("input", { id: "layer-key", value: query.get("key") ?? "", placeholder: "lisbon, or CP-8851-3PCC" });
  const editor = h("div", { id: "editor" });
  const chooser = h("form", { class: "inline", "aria-label": "Choose a layer" },
    h("div", { class: "field" }, h("label", { for: "scope" }, "Layer"), scope),
    h("div", { class: "field" }, h("label", { for: "layer-key" }, "Site or model"), key),
    h("button", { type: "submit" }, "Open"));
  chooser.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = scopes.find((option) => option.value === scope.value);
    if (chosen.needsKey && !key.value.trim()) {
      replace(editor, notice("error", "Name the site or model."));
      key.focus();
      return;
    }
    const path = chosen.needsKey ? `${chosen.value}/${encodeURIComponent(key.value.trim())}` : "partner/-";
    history.replaceState(null, "", `?scope=${chosen.value}&key=${encodeURIComponent(key.value.trim())}`);
    open(editor, path);
  });
  replace(main, h("h1", {}, "Parameters"),
    h("section", { class: "card" }, chooser,
      h("p", { class: "help" }, "A site's parameters apply to the phones assigned to it; a phone's own " +
        "parameters win over its site's, a site's over the partner's.")),
    editor);
  if (query.get("scope")) chooser.requestSubmit();
}

async function open(editor, path) {
  replace(editor, h("p", { class: "loading" }, "Loading…"));
  let layer = { parameters: [] };
  try {
    layer = await api("GET", `/layers/${path}`);
  } catch (error) {
    if (error.status !== 404) {
      replace(editor, notice("error", error.message));
      return;
    }
  }
  const body = h("tbody", {});
  const rows = [];
  const addRow = (parameter = { name: "", value: "", secret: false }, existing = false) => {
    const index = rows.length;
    const row = {
      name: h("input", { "aria-label": `Name of parameter ${index + 1}`, value: parameter.name, readonly: existing,
                         class: "mono", "data-index": index }),
      value: h("input", { "aria-label": `Value of ${parameter.name || `parameter ${index + 1}`}`,
                          value: parameter.value, class: "mono", size: 36, "data-index": index }),
      secret: h("input", { type: "checkbox", checked: Boolean(parameter.secret),
                           "aria-label": `${parameter.name || `Parameter ${index + 1}`} is a secret` }),
      remove: h("input", { type: "checkbox", "aria-label": `Remove ${parameter.name || `parameter ${index + 1}`}` }),
      error: h("p", { class: "field-error", role: "alert", hidden: true }),
      existing,
    };
    rows.push(row);
    body.append(h("tr", {}, h("td", {}, row.name), h("td", {}, row.value, row.error), h("td", {}, row.secret),
                  h("td", {}, existing ? row.remove : null)));
  };
  for (const parameter of layer.parameters ?? []) addRow(parameter, true);
  if (rows.length === 0) addRow();
  const status = h("div", { role: "status" });
  const save = async () => {
    for (const row of rows) {
      row.error.hidden = true;
      row.name.removeAttribute("aria-invalid");
      row.value.removeAttribute("aria-invalid");
    }
    const sent = rows.filter((row) => !row.remove.checked && row.name.value.trim() !== "");
    const request = {
      parameters: sent.map((row) => ({ name: row.name.value.trim(), value: row.value.value, secret: row.secret.checked })),
      remove: rows.filter((row) => row.existing && row.remove.checked).map((row) => row.name.value),
    };
    try {
      await api("POST", `/layers/${path}:set-parameters`, { body: request });
      replace(status, notice("ok", "Saved. Phones get it at their next resync."));
      await open(editor, path);
    } catch (error) {
      const match = /^parameters\[(\d+)\]\.(name|value)$/.exec(error.field);
      const row = match ? sent[Number(match[1])] : null;
      if (row) {
        const input = row[match[2]];
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `error-${match[1]}`);
        row.error.id = `error-${match[1]}`;
        row.error.textContent = error.message;
        row.error.hidden = false;
        input.focus();
        replace(status);
      } else {
        replace(status, notice("error", error.message));
      }
    }
  };
  replace(editor, h("section", { class: "card", "aria-label": "Layer parameters" },
    h("p", { class: "help" }, layer.version ? `Version ${layer.version}` : "This layer has no parameters yet."),
    h("table", {}, h("thead", {}, h("tr", {}, ["Parameter", "Value", "Secret", "Remove"].map(
      (title) => h("th", { scope: "col" }, title)))), body),
    h("p", {}, h("button", { type: "button", class: "quiet", onclick: () => addRow() }, "Add a parameter"), " ",
      h("button", { type: "button", id: "save-layer", onclick: save }, "Save")),
    status));
}
