// Firmware: a model's images in the vendor's version order, the upgrade
// path its phones take as a picture, and the partner's rollouts with their
// stage progress, to pause, resume or abort.

import { api } from "./api.js";
import { bars, upgradeEdges } from "./charts.js";
import { enumLabel, h, notice, replace, when } from "./dom.js";

export async function render(main) {
  const model = h("input", { id: "fw-model", value: new URLSearchParams(location.search).get("model") ?? "",
                             placeholder: "CP-8851-3PCC" });
  const plans = h("div", { id: "plans" });
  const rollouts = h("div", { id: "rollouts" });
  const form = h("form", { class: "inline", "aria-label": "Choose a model" },
    h("div", { class: "field" }, h("label", { for: "fw-model" }, "Model"), model),
    h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (model.value.trim()) showPlans(plans, model.value.trim());
  });
  replace(main, h("h1", {}, "Firmware"), h("section", { class: "card" }, form), plans,
          h("h2", {}, "Rollouts"), rollouts);
  if (model.value.trim()) await showPlans(plans, model.value.trim());
  await showRollouts(rollouts);
}

async function showPlans(plans, model) {
  let answer;
  try {
    answer = await api("GET", `/firmware/upgrade-plans/${encodeURIComponent(model)}`);
  } catch (error) {
    replace(plans, notice("error", error.message));
    return;
  }
  const images = answer.images ?? [];
  const edges = answer.edges ?? [];
  replace(plans, h("section", { class: "card", "aria-labelledby": "plan-title" },
    h("h2", { id: "plan-title" }, `${model}: where its phones go`),
    answer.target_version ? h("p", {}, "Target ", h("strong", { class: "mono" }, answer.target_version),
      answer.rollout ? ` (rollout ${answer.rollout.id})` : "") : h("p", {}, "No target: phones stay where they are."),
    h("h3", {}, "Upgrade path"),
    edges.length ? upgradeEdges("Upgrade path", edges, answer.target_version) :
      h("p", {}, "No upgrade edges: phones install the target directly."),
    h("h3", {}, "Images, oldest first"),
    images.length === 0 ? h("p", {}, "No images for this model.") :
      h("table", {}, h("thead", {}, h("tr", {}, ["Version", "File", "Size", "Added"].map(
        (title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, images.map((image) => h("tr", {},
        h("td", { class: "mono" }, image.version),
        h("td", { class: "mono" }, image.file_name),
        h("td", {}, `${Math.round(Number(image.size) / 1024)} KiB`),
        h("td", {}, when(image.create_time))))))));
}

async function showRollouts(rollouts) {
  let page;
  try {
    page = await api("GET", "/rollouts", { query: { page_size: 50 } });
  } catch (error) {
    replace(rollouts, notice("error", error.message));
    return;
  }
  const list = page.rollouts ?? [];
  if (list.length === 0) {
    replace(rollouts, h("p", {}, "No rollouts."));
    return;
  }
  const act = (rollout, verb) => async () => {
    if (verb === "abort" && !confirm(`Abort the rollout to ${rollout.target_version}? Phones stay where they are.`)) {
      return;
    }
    try {
      await api("POST", `/rollouts/${rollout.id}:${verb}`);
    } catch (error) {
      replace(rollouts, notice("error", error.message));
      return;
    }
    await showRollouts(rollouts);
  };
  replace(rollouts, list.map((rollout) => {
    const stages = rollout.stages ?? [];
    const current = Number(rollout.current_stage ?? 0);
    const successes = Number(rollout.successes ?? 0);
    const failures = Number(rollout.failures ?? 0);
    const reported = successes + failures;
    const failurePercent = reported ? Math.round((failures * 100) / reported) : 0;
    const state = rollout.state ?? "";
    const live = state === "ROLLOUT_STATE_RUNNING" || state === "ROLLOUT_STATE_PAUSED" ||
                 state === "ROLLOUT_STATE_HALTED";
    return h("section", { class: "card rollout", "data-rollout": rollout.id,
                          "aria-label": `Rollout of ${rollout.model} to ${rollout.target_version}` },
      h("h3", {}, `${rollout.model} → `, h("span", { class: "mono" }, rollout.target_version), " ",
        h("span", { class: `badge ${state === "ROLLOUT_STATE_HALTED" ? "bad" : ""}`, "data-state": state },
          enumLabel(state, "ROLLOUT_STATE_"))),
      state === "ROLLOUT_STATE_HALTED" ? notice("error", `Halted: ${failurePercent}% of reported upgrades failed, ` +
        `over its ${rollout.failure_threshold_percent}% threshold.`) : null,
      // Each stage's bar: the share of the phones it offers the image to.
      bars("Stages", stages.map((stage, index) => ({
        label: `Stage ${index + 1}: ${stage.percent}%`,
        value: index <= current ? Number(stage.percent) : 0,
        kind: index < current ? "done" : "",
        progress: index < current ? "done" : index === current ? enumLabel(state, "ROLLOUT_STATE_").toLowerCase() :
          "to come",
      })), 100, (value, share, row) => row.progress),
      h("p", {}, `${successes} upgraded, ${failures} failed (halts above ${rollout.failure_threshold_percent}%). ` +
        `Stage ${current + 1} of ${stages.length} since ${when(rollout.stage_start_time)}.`),
      live ? h("p", {},
        state === "ROLLOUT_STATE_RUNNING" ?
          h("button", { type: "button", onclick: act(rollout, "pause") }, "Pause") :
          h("button", { type: "button", onclick: act(rollout, "resume") }, "Resume"), " ",
        h("button", { type: "button", class: "danger", onclick: act(rollout, "abort") }, "Abort")) : null);
  }));
}
