// Claiming phones from a CSV of MAC addresses (a header row naming mac,
// model and serial columns): sent in chunks so a 10,000-row file shows its
// progress, each chunk with its own idempotency key so a retried chunk is
// claimed once. Every row gets its result; conflicts say why.

import { api, newIdempotencyKey } from "./api.js";
import { enumLabel, h, notice, replace } from "./dom.js";

const chunkRows = 500;

const explanations = {
  CLAIM_OUTCOME_CLAIMED: "claimed",
  CLAIM_OUTCOME_ALREADY_YOURS: "already yours",
  CLAIM_OUTCOME_CONFLICT: "claimed by another partner: it must release the phone first",
  CLAIM_OUTCOME_INVALID: "not a valid row",
};

// One CSV line of `fields`, each quoted ("" inside), as spreadsheets read.
export function csvLine(fields) {
  return fields.map((field) => `"${String(field).replaceAll('"', '""')}"`).join(",");
}

// The file's header line and its data lines (blank lines dropped).
export function splitCsv(text) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  return { header: lines[0] ?? "", rows: lines.slice(1) };
}

export async function render(main) {
  const fileInput = h("input", { id: "csv", type: "file", accept: ".csv,text/csv", "aria-describedby": "csv-help" });
  const ruleInput = h("input", { id: "profile-rule", size: 48, value: "",
                                 placeholder: "https://prov.example.com/profile/$MA.xml" });
  const ruleError = h("p", { id: "profile-rule-error", class: "field-error", role: "alert", hidden: true });
  const drop = h("div", { class: "drop" },
    h("p", {}, "Drop a CSV file here, or choose one:"),
    h("div", { class: "field" }, h("label", { for: "csv" }, "CSV file"), fileInput),
    h("p", { id: "csv-help", class: "help" }, "A header row naming mac, model and serial columns, then a phone per row."));
  const progress = h("progress", { id: "claim-progress", max: 1, value: 0, "aria-label": "Claim progress" });
  const status = h("p", { role: "status", id: "claim-status" });
  const results = h("div", { id: "claim-results" });
  let file = null;

  const claim = async () => {
    ruleInput.removeAttribute("aria-invalid");
    ruleError.hidden = true;
    if (!file) {
      replace(status, "Choose a CSV file first.");
      return;
    }
    if (!ruleInput.value.trim()) {
      ruleError.textContent = "Give the Profile_Rule the phones are sent to.";
      ruleError.hidden = false;
      ruleInput.setAttribute("aria-invalid", "true");
      ruleInput.focus();
      return;
    }
    const { header, rows } = splitCsv(await file.text());
    progress.max = Math.max(1, rows.length);
    progress.value = 0;
    const counts = {};
    const problems = [];
    const every = [csvLine(["row", "mac", "outcome", "reason"])];
    for (let start = 0; start < rows.length; start += chunkRows) {
      const chunk = rows.slice(start, start + chunkRows);
      let answer;
      try {
        answer = await api("POST", "/devices:claim", {
          body: [header, ...chunk].join("\n") + "\n",
          contentType: "text/csv",
          idempotencyKey: newIdempotencyKey(),
          query: { profile_rule: ruleInput.value.trim() },
        });
      } catch (error) {
        if (error.field === "profile_rule") {
          ruleError.textContent = error.message;
          ruleError.hidden = false;
          ruleInput.setAttribute("aria-invalid", "true");
        }
        replace(status, notice("error", `Rows ${start + 1}–${start + chunk.length}: ${error.message}`));
        return;
      }
      for (const result of answer.results ?? []) {
        const outcome = result.outcome ?? "CLAIM_OUTCOME_UNSPECIFIED";
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        every.push(csvLine([start + (result.row ?? 0) + 1, result.mac ?? "", enumLabel(outcome, "CLAIM_OUTCOME_"),
                            result.reason || explanations[outcome] || ""]));
        if (outcome === "CLAIM_OUTCOME_CONFLICT" || outcome === "CLAIM_OUTCOME_INVALID") {
          problems.push({ row: start + (result.row ?? 0) + 1, result });
        }
      }
      progress.value = start + chunk.length;
      replace(status, `${start + chunk.length} of ${rows.length} rows done`);
    }
    replace(results,
      h("h2", {}, "Results"),
      h("ul", { id: "claim-counts" }, Object.entries(counts).map(([outcome, count]) =>
        h("li", { "data-outcome": outcome }, `${count} ${explanations[outcome] ?? enumLabel(outcome, "CLAIM_OUTCOME_")}`))),
      h("p", {}, h("a", { id: "claim-download", download: `${file.name.replace(/\.csv$/i, "")}-results.csv`,
                          href: URL.createObjectURL(new Blob([every.join("\n") + "\n"], { type: "text/csv" })) },
        `Every row's result (CSV, ${every.length - 1} rows)`)),
      problems.length === 0 ? notice("ok", "Every row was claimed or already yours.") :
        h("table", { id: "claim-problems" },
          h("caption", { class: "help" }, "Rows that were not claimed, and why"),
          h("thead", {}, h("tr", {}, ["Row", "MAC", "Outcome", "Why"].map((title) => h("th", { scope: "col" }, title)))),
          h("tbody", {}, problems.map(({ row, result }) => h("tr", {},
            h("td", {}, row),
            h("td", { class: "mono" }, result.mac ?? ""),
            h("td", {}, enumLabel(result.outcome, "CLAIM_OUTCOME_")),
            h("td", {}, result.reason || explanations[result.outcome]))))));
  };

  const choose = (chosen) => {
    file = chosen;
    replace(status, chosen ? `${chosen.name} chosen` : "");
  };
  fileInput.addEventListener("change", () => choose(fileInput.files[0] ?? null));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    choose(event.dataTransfer.files[0] ?? null);
  });

  replace(main, h("h1", {}, "Claim phones"),
    h("section", { class: "card" },
      h("div", { class: "field" }, h("label", { for: "profile-rule" }, "Profile_Rule the phones are sent to"),
        ruleInput, ruleError),
      drop,
      h("p", {}, h("button", { type: "button", id: "claim", onclick: claim }, "Claim")),
      progress, status),
    results);
}
