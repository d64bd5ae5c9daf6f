// Building the page from data without ever parsing data as HTML: every
// text goes in as a text node, so a MAC, a site name or an event detail
// can never become markup or script.

// h("a", {href: "/x", class: "link"}, "text", child, ...): a new element.
// Attributes starting with "on" are listeners; null and false are left out.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

// Adds `children` (elements, strings, numbers, nested arrays) to `parent`.
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

// Replaces what `parent` holds with `children`.
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

// A time as people read it on this computer, or "never".
export function when(timestamp) {
  if (!timestamp) return "never";
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toLocaleString();
}

// "CUSTOMIZATION_STATE_CUSTOM_PENDING" -> "Custom Pending".
export function enumLabel(value, prefix) {
  if (!value) return "—";
  const words = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return words
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

// A MAC as 12 lowercase hex digits, or null when it is not one.
export function normalMac(text) {
  const digits = text.trim().toLowerCase().replace(/[:.-]/g, "");
  return /^[0-9a-f]{12}$/.test(digits) ? digits : null;
}

// A status line that screen readers announce.
export function notice(kind, text) {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

// "Previous" and "Next" for keyset pages: `tokens` are the tokens of the
// pages so far (the last one's is shown), `next` the following page's;
// `show(tokens)` shows another.
export function pager(tokens, next, show) {
  return h("div", { class: "pager" },
    h("button", { type: "button", class: "quiet", disabled: tokens.length < 2,
                  onclick: () => show(tokens.slice(0, -1)) }, "Previous"),
    h("button", { type: "button", class: "quiet", disabled: !next,
                  onclick: () => show([...tokens, next]) }, "Next"));
}
