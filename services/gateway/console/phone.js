// One phone: what it is and last did, its timeline, the profile it would
// get now (secrets masked), what changed since its last delivery, its
// recent syslog lines and TR-069 tasks.

import { api } from "./api.js";
import { enumLabel, h, normalMac, notice, replace, when } from "./dom.js";
import { stateBadge } from "./phones.js";

// Runs `load` and gives its section, or a notice of why it could not.
async function section(title, id, load) {
  let body;
  try {
    body = await load();
  } catch (error) {
    body = notice(error.status === 404 ? "ok" : "error",
                  error.status === 404 ? "Nothing to show." : error.message);
  }
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), body);
}

export async function render(main, path) {
  const mac = normalMac(decodeURIComponent(path.split("/").pop()));
  if (!mac) {
    replace(main, notice("error", "That is not a MAC address."));
    return;
  }
  let device;
  try {
    device = await api("GET", `/devices/${mac}`);
  } catch (error) {
    replace(main, h("h1", { class: "mono" }, mac),
            notice("error", error.status === 404 ? "No such phone among yours." : error.message));
    return;
  }
  const activity = device.activity ?? {};
  const facts = h("dl", { class: "facts" },
    h("dt", {}, "Model"), h("dd", {}, device.model || "—"),
    h("dt", {}, "Serial"), h("dd", { class: "mono" }, device.serial || "—"),
    h("dt", {}, "Site"), h("dd", {}, device.site || "—"),
    h("dt", {}, "State"), h("dd", {}, stateBadge(device.state)),
    h("dt", {}, "Registered"), h("dd", {}, device.registered ? "yes" : "no"),
    h("dt", {}, "Firmware"), h("dd", { class: "mono" }, activity.firmware_version || "—"),
    h("dt", {}, "Last contact"), h("dd", {}, when(activity.last_contact_time)),
    h("dt", {}, "Claimed"), h("dd", {}, when(device.claim_time)),
    h("dt", {}, "Trust"), h("dd", {}, enumLabel(device.trust, "DEVICE_TRUST_")));
  const sections = await Promise.all([
    section("Timeline", "timeline-title", async () => {
      const timeline = await api("GET", `/devices/${mac}/timeline`);
      const events = timeline.events ?? [];
      if (events.length === 0) return h("p", {}, "Nothing has happened to this phone yet.");
      return h("ol", { class: "timeline" }, events.map((event) => h("li", {},
        h("time", { datetime: event.time }, when(event.time)),
        h("strong", {}, event.kind),
        h("span", {}, event.detail, event.source ? h("span", { class: "help" }, ` — ${event.source}`) : null))));
    }),
    section("Profile it would get now", "preview-title", async () => {
      const preview = await api("GET", `/devices/${mac}/preview`, { query: { model: device.model } });
      return [h("p", { class: "help" }, "Secrets are masked.",
                preview.etag ? [" ETag ", h("span", { class: "mono" }, preview.etag)] : null),
              h("pre", { class: "profile", tabindex: 0, "aria-label": "Profile XML" }, preview.xml)];
    }),
    section("Changes since its last delivery", "diff-title", async () => {
      const diff = await api("GET", `/devices/${mac}/diff`, { query: { model: device.model } });
      const changes = diff.changes ?? [];
      const since = diff.delivered_etag ? `delivered ${when(diff.delivered_time)}` : "nothing delivered yet";
      if (changes.length === 0) return h("p", {}, `No changes (${since}).`);
      return [h("p", { class: "help" }, `Since the profile ${since}:`),
        h("table", {}, h("thead", {}, h("tr", {}, ["Parameter", "Before", "After"].map(
          (title) => h("th", { scope: "col" }, title)))),
        h("tbody", {}, changes.map((change) => h("tr", {},
          h("td", { class: "mono" }, change.name),
          h("td", { class: "mono" }, change.added ? "(added)" : change.before),
          h("td", { class: "mono" }, change.removed ? "(removed)" : change.after)))))];
    }),
    section("Recent syslog lines", "logs-title", async () => {
      const logs = await api("GET", `/devices/${mac}/logs`, { query: { page_size: 50 } });
      const lines = logs.lines ?? [];
      if (lines.length === 0) return h("p", {}, "No syslog lines from this phone.");
      return h("ol", { class: "timeline" }, lines.map((line) => h("li", {},
        h("time", { datetime: line.receive_time }, when(line.receive_time)),
        h("span", { class: "badge" }, line.severity_name),
        h("span", { class: "mono" }, line.text))));
    }),
    section("TR-069 tasks", "tasks-title", async () => {
      const tasks = (await api("GET", `/devices/${mac}/tasks`)).tasks ?? [];
      if (tasks.length === 0) return h("p", {}, "No tasks for this phone.");
      return h("table", {}, h("thead", {}, h("tr", {}, ["Task", "State", "Fault"].map(
        (title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, tasks.map((task) => h("tr", {},
        h("td", {}, enumLabel(task.kind, "TASK_KIND_")),
        h("td", {}, enumLabel(task.state, "TASK_STATE_")),
        h("td", {}, task.fault_code ? `${task.fault_code} ${task.fault_string ?? ""}` : "—")))));
    }),
  ]);
  replace(main, h("h1", {}, "Phone ", h("span", { class: "mono" }, mac)),
          h("section", { class: "card", "aria-label": "About this phone" }, facts), sections);
}
