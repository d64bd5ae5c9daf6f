// Activation codes: make N (the digits are shown once, to copy), see each
// code's state (active, used, revoked, expired), revoke an unused one.

import { api, newIdempotencyKey } from "./api.js";
import { enumLabel, h, notice, pager, replace, when } from "./dom.js";

const codeStates = ["", "CODE_STATE_ACTIVE", "CODE_STATE_USED", "CODE_STATE_REVOKED", "CODE_STATE_EXPIRED"];

function fieldBlock(id, label, input, help) {
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
           help ? h("span", { class: "help" }, help) : null,
           h("p", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true }));
}

export async function render(main) {
  const count = h("input", { id: "count", type: "number", min: 1, max: 1000, value: 10, required: true });
  const days = h("input", { id: "days", type: "number", min: 1, max: 365, value: 7 });
  const model = h("input", { id: "code-model", placeholder: "any model" });
  const rule = h("input", { id: "code-rule", size: 40, placeholder: "https://prov.example.com/profile/$MA.xml" });
  const issued = h("div", { id: "issued" });
  const list = h("div", { id: "codes" });
  const filter = h("select", { id: "code-state", "aria-label": "Show codes" },
    codeStates.map((state) => h("option", { value: state }, state ? enumLabel(state, "CODE_STATE_") : "All codes")));
  filter.addEventListener("change", () => show(list, filter.value, [""]));

  const form = h("form", { class: "inline", "aria-label": "Create activation codes" },
    fieldBlock("count", "How many", count, "1 to 1,000"),
    fieldBlock("days", "Valid for (days)", days),
    fieldBlock("code-model", "Only for model", model),
    fieldBlock("code-rule", "Profile_Rule", rule, "Where a phone that redeems one goes"),
    h("button", { type: "submit" }, "Create codes"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const error of form.querySelectorAll(".field-error")) error.hidden = true;
    for (const input of form.querySelectorAll("input")) input.removeAttribute("aria-invalid");
    const request = { count: Number(count.value), expires_in: `${Number(days.value) * 86400}s` };
    if (model.value.trim()) request.constraints = { model: model.value.trim() };
    if (rule.value.trim()) request.target = { profile_rule: rule.value.trim() };
    try {
      const made = await api("POST", "/activation-codes", { body: request, idempotencyKey: newIdempotencyKey() });
      const digits = (made.codes ?? []).map((code) => code.code);
      replace(issued, h("section", { class: "card", "aria-labelledby": "issued-title" },
        h("h2", { id: "issued-title" }, `${digits.length} new codes`),
        h("p", { class: "help" }, "Copy them now: the digits are not shown again."),
        h("textarea", { id: "issued-codes", rows: Math.min(10, digits.length), cols: 20, readonly: true,
                        "aria-label": "The new codes" }, digits.join("\n")),
        h("p", {}, h("button", { type: "button", class: "quiet",
                                 onclick: () => navigator.clipboard?.writeText(digits.join("\n")) }, "Copy"))));
      await show(list, filter.value, [""]);
    } catch (error) {
      const names = { count: "count", expires_in: "days", "constraints.model": "code-model",
                      "target.profile_rule": "code-rule" };
      const id = names[error.field];
      if (id) {
        const message = document.getElementById(`${id}-error`);
        message.textContent = error.message;
        message.hidden = false;
        document.getElementById(id).setAttribute("aria-invalid", "true");
      } else {
        replace(issued, notice("error", error.message));
      }
    }
  });
  replace(main, h("h1", {}, "Activation codes"), h("section", { class: "card" }, form), issued,
          h("h2", {}, "Your codes"), h("p", {}, filter), list);
  await show(list, "", [""]);
}

async function show(list, state, tokens) {
  let page;
  try {
    page = await api("GET", "/activation-codes", { query: { state, page_size: 50, page_token: tokens.at(-1) } });
  } catch (error) {
    replace(list, notice("error", error.message));
    return;
  }
  const codes = page.codes ?? [];
  if (codes.length === 0) {
    replace(list, h("p", {}, "No codes."));
    return;
  }
  replace(list,
    h("table", {},
      h("thead", {}, h("tr", {}, ["Ends in", "State", "Model", "Created", "Expires", "Used by", ""].map(
        (title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, codes.map((code) => h("tr", { "data-code": code.id },
        h("td", { class: "mono" }, `…${code.last_digits}`),
        h("td", {}, h("span", { class: "badge" }, enumLabel(code.state, "CODE_STATE_"))),
        h("td", {}, code.constraints?.model || "any"),
        h("td", {}, when(code.create_time)),
        h("td", {}, when(code.expire_time)),
        h("td", { class: "mono" }, code.redeemed_by?.mac ?? "—"),
        h("td", {}, code.state === "CODE_STATE_ACTIVE" ?
          h("button", { type: "button", class: "danger", "aria-label": `Revoke the code ending ${code.last_digits}`,
                        onclick: async () => {
                          if (!confirm(`Revoke the code ending ${code.last_digits}? It cannot be used afterwards.`)) {
                            return;
                          }
                          await api("POST", `/activation-codes/${code.id}:revoke`);
                          await show(list, state, tokens);
                        } }, "Revoke") : null))))),
    pager(tokens, page.page?.next_page_token, (moved) => show(list, state, moved)));
}
