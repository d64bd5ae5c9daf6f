// The console's shell: who is signed in, the navigation, and the page the
// path names, each page a module with `render(main, path)`.

import { session, signOut } from "./api.js";
import { notice, replace } from "./dom.js";

const pages = [
  { pattern: /^\/console\/$/, module: "./overview.js", title: "Overview" },
  { pattern: /^\/console\/phones$/, module: "./phones.js", title: "Phones" },
  { pattern: /^\/console\/phones\/[^/]+$/, module: "./phone.js", title: "Phone", nav: "/console/phones" },
  { pattern: /^\/console\/claim$/, module: "./claim.js", title: "Claim phones" },
  { pattern: /^\/console\/codes$/, module: "./codes.js", title: "Activation codes" },
  { pattern: /^\/console\/layers$/, module: "./layers.js", title: "Parameters" },
  { pattern: /^\/console\/firmware$/, module: "./firmware.js", title: "Firmware" },
];

async function start() {
  const main = document.getElementById("main");
  document.getElementById("sign-out").addEventListener("click", signOut);
  let current;
  try {
    current = await session();
  } catch (error) {
    replace(main, notice("error", `The console cannot reach the fleet just now (${error.message}). ` +
                                  "Try again in a moment."));
    return;
  }
  document.getElementById("partner").textContent = current.partner;
  const page = pages.find((candidate) => candidate.pattern.test(location.pathname));
  if (!page) {
    replace(main, notice("error", "There is no such page."));
    return;
  }
  document.title = `${page.title} · Onramp console`;
  const here = page.nav ?? location.pathname;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === here) link.setAttribute("aria-current", "page");
  }
  try {
    const module = await import(page.module);
    await module.render(main, location.pathname);
  } catch (error) {
    replace(main, notice("error", `This page could not be shown: ${error.message}`));
  }
}

start();
