// The node's public API from the browser, on the page's own origin. When the node has API keys, the key is asked
// for once, kept in this tab's sessionStorage and sent as "Authorization: Bearer" on every call: never in a URL.
// A node on loopback needs none, and the page never asks. Errors are the node's ProblemDetails, as ApiError.

const KeyItem = 'agentcluster.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KeyItem),
  set: key => sessionStorage.setItem(KeyItem, key),
  clear: () => sessionStorage.removeItem(KeyItem),
};

/** A ProblemDetails answer: its title and detail, and the field it names (a 400's). */
export class ApiError extends Error {
  constructor(status, problem) {
    const title = problem?.title || `HTTP ${status}`;
    super(problem?.detail ? `${title}: ${problem.detail}` : title);
    this.status = status;
    this.problem = problem ?? {};
    this.field = problem?.field ?? (problem?.errors ? Object.keys(problem.errors)[0] : null);
  }

  static async of(response) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
    return new ApiError(response.status, problem);
  }
}

/** Told when a call came back 401: the page shows the key form (app.js). */
export const keyNeeded = new EventTarget();

/** Session ids are letters, digits, _ and -; escaped anyway, as any path segment. */
export const sessionPath = (id, rest = '') => `/sessions/${encodeURIComponent(id)}${rest}`;

/**
 * One call. json: a body sent as JSON; body: sent as it is (a File for an upload). Answers the parsed JSON
 * (null for 204), or the Response itself with raw (a stream, a download).
 */
export async function call(path, { method = 'GET', json, body, headers = {}, signal, raw = false } = {}) {
  const sent = new Headers(headers);
  const key = apiKey.get();
  if (key) sent.set('Authorization', `Bearer ${key}`);
  if (json !== undefined) {
    sent.set('Content-Type', 'application/json');
    body = JSON.stringify(json);
  }
  const response = await fetch(path, { method, headers: sent, body, signal, cache: 'no-store' });
  if (response.status === 401) {
    keyNeeded.dispatchEvent(new Event('needed'));
    throw await ApiError.of(response);
  }
  if (!response.ok) throw await ApiError.of(response);
  if (raw) return response;
  if (response.status === 204) return null;
  return (response.headers.get('content-type') ?? '').includes('json') ? response.json() : response.text();
}
