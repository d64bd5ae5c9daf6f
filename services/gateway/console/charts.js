// Pictures where people would rather look than read, as plain SVG with a
// text equivalent (each chart has a title and its numbers as labels).

const svgNs = "http://www.w3.org/2000/svg";

function s(tag, attributes = {}, text) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

// Horizontal bars, one per {label, value, kind}, against `total`; each
// labelled by `describe(value, share, row)`.
export function bars(title, rows, total,
                     describe = (value, share) => (total > 0 ? `${value} (${Math.round(share * 100)}%)` : `${value}`)) {
  const rowHeight = 30;
  const labelWidth = 150;
  const width = 640;
  const barWidth = width - labelWidth - 110;
  const svg = s("svg", {
    class: "chart",
    role: "img",
    viewBox: `0 0 ${width} ${rows.length * rowHeight + 10}`,
    width,
    "aria-label": `${title}: ${rows.map((row) => `${row.label} ${row.value}`).join(", ")}`,
  });
  svg.append(s("title", {}, title));
  rows.forEach((row, index) => {
    const y = index * rowHeight + 5;
    const share = total > 0 ? Math.min(1, row.value / total) : 0;
    svg.append(s("text", { x: 0, y: y + 17 }, row.label));
    svg.append(s("rect", { class: "bar-rest", x: labelWidth, y, width: barWidth, height: 22, rx: 3 }));
    svg.append(s("rect", { class: `bar-fill ${row.kind ?? ""}`, x: labelWidth, y, width: barWidth * share,
                           height: 22, rx: 3 }));
    svg.append(s("text", { x: labelWidth + barWidth + 8, y: y + 17 }, describe(row.value, share, row)));
  });
  return svg;
}

// The onboarding funnel: claimed -> redirected -> registered -> acquired.
export function funnel(summary) {
  const claimed = Number(summary.claimed ?? 0);
  return bars("Onboarding funnel", [
    { label: "Claimed", value: claimed },
    { label: "Redirected", value: Number(summary.redirected ?? 0) },
    { label: "Registered", value: Number(summary.registered ?? 0) },
    { label: "Acquired", value: Number(summary.acquired ?? 0), kind: "done" },
  ], claimed);
}

// How a model's phones move: one row per upgrade edge, "phones on this
// range of versions may install that one", the target's box marked.
export function upgradeEdges(title, edges, target) {
  const rowHeight = 44;
  const width = 640;
  const svg = s("svg", {
    class: "chart", role: "img", viewBox: `0 0 ${width} ${Math.max(1, edges.length) * rowHeight + 6}`, width,
    "aria-label": `${title}: ${edges.map((edge) => `${edge.from_min} to ${edge.from_max} → ${edge.to}`).join("; ")}`,
  });
  svg.append(s("title", {}, title));
  edges.forEach((edge, index) => {
    const y = index * rowHeight + 4;
    svg.append(s("rect", { class: "bar-rest", x: 0, y, width: 330, height: 36, rx: 5 }));
    svg.append(s("text", { x: 10, y: y + 23 }, `${edge.from_min} … ${edge.from_max}`));
    svg.append(s("text", { x: 342, y: y + 23 }, "→"));
    svg.append(s("rect", { class: edge.to === target ? "done" : "bar-rest", x: 370, y, width: 260, height: 36,
                           rx: 5 }));
    svg.append(s("text", { x: 380, y: y + 23, class: edge.to === target ? "on-dark" : "" }, edge.to));
  });
  return svg;
}
