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

// A left-to-right path of boxes joined by arrows (e.g. an upgrade path).
export function path(title, steps) {
  const boxWidth = 170;
  const gap = 40;
  const width = Math.max(1, steps.length) * (boxWidth + gap);
  const svg = s("svg", { class: "chart", role: "img", viewBox: `0 0 ${width} 50`, width,
                         "aria-label": `${title}: ${steps.join(" → ")}` });
  svg.append(s("title", {}, title));
  steps.forEach((step, index) => {
    const x = index * (boxWidth + gap);
    svg.append(s("rect", { class: "bar-rest", x, y: 5, width: boxWidth, height: 36, rx: 5 }));
    svg.append(s("text", { x: x + 8, y: 28 }, step.length > 24 ? `${step.slice(0, 23)}…` : step));
    if (index + 1 < steps.length) {
      svg.append(s("text", { x: x + boxWidth + 12, y: 28 }, "→"));
    }
  });
  return svg;
}
