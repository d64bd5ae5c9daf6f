// Exchanges the partner's API key for a session cookie, then goes where
// the partner was headed (only ever a console page).

const form = document.getElementById("sign-in-form");
const input = document.getElementById("api-key");
const error = document.getElementById("sign-in-error");

function destination() {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  return /^\/console\/[A-Za-z0-9/:._-]*$/.test(next) ? next : "/console/";
}

function showError(text) {
  error.textContent = text;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.select();  // focused, so typing the right key replaces the wrong one
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const apiKey = input.value.trim();
  if (!apiKey) return showError("Enter your API key.");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch("/console/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ api_key: apiKey }),
    });
    if (response.ok) {
      input.value = "";
      location.assign(destination());
      return;
    }
    const answer = await response.json().catch(() => ({}));
    showError(response.status === 401 ? "That key is unknown or revoked." :
              answer.error?.message ?? `Sign-in failed (HTTP ${response.status}).`);
  } catch {
    showError("The console cannot be reached. Try again in a moment.");
  } finally {
    button.disabled = false;
  }
});
input.focus();
