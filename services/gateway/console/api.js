// The console's only way to the fleet: the public partner API (/api/v1),
// authenticated by the session cookie the browser sends by itself. Requests
// that change something carry the session's CSRF token, which only our own
// pages can read (GET /console/session).

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || "";
    this.field = error?.field || "";
  }
}

// Sends the browser to the sign-in page, to come back to this page.
export function signInAgain() {
  const next = encodeURIComponent(location.pathname);
  location.assign(`/console/sign-in?next=${next}`);
  return new Promise(() => {});  // the page is going away
}

// Who is signed in: {partner, csrf_token}; signs in again when nobody is.
export async function session() {
  const response = await fetch("/console/session", { credentials: "same-origin" });
  if (response.status === 401) return signInAgain();
  if (!response.ok) throw new ApiError(response.status, (await response.json()).error);
  const current = await response.json();
  csrfToken = current.csrf_token;
  return current;
}

export async function signOut() {
  await fetch("/console/session", {
    method: "DELETE",
    credentials: "same-origin",
    headers: { "X-Onramp-Csrf": csrfToken ?? "" },
  });
  location.assign("/console/sign-in");
}

// One API call. `body`: an object (sent as JSON) or a string with
// `contentType`. Resolves to the parsed answer; rejects with ApiError.
export async function api(method, path, { body, contentType, idempotencyKey, query } = {}) {
  const headers = {};
  if (method !== "GET" && method !== "HEAD") headers["X-Onramp-Csrf"] = csrfToken ?? "";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let payload;
  if (body !== undefined) {
    if (typeof body === "string") {
      payload = body;
      headers["Content-Type"] = contentType ?? "text/plain";
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  let url = `/api/v1${path}`;
  if (query) {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") parameters.set(name, value);
    }
    const text = parameters.toString();
    if (text) url += `?${text}`;
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 401) return signInAgain();
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(response.status, parsed.error);
  return parsed;
}

// A fresh idempotency key, so a retried create is made once.
export function newIdempotencyKey() {
  return crypto.randomUUID();
}
