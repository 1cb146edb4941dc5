// The tenant API, as documented in API.md: every page is built on it and nothing else.

/** A 4xx/5xx answer: its status and the API's error shape {error, message, details}. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'internal';
    this.details = body?.details ?? [];
  }
}

const KEY = 'leadflame.apiKey';

/** The API key this browser tab uses (sessionStorage: gone when the tab closes), or null. */
export function apiKey() {
  return sessionStorage.getItem(KEY);
}

/** Keeps a key for this tab (null forgets it). */
export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

function keyHeaders() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** A 401: the node asks for a key, or this one is not valid; the app then asks for one. */
function unauthorized(status) {
  if (status === 401) window.dispatchEvent(new CustomEvent('leadflame:unauthorized'));
}

async function errorOf(response) {
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not the API's JSON (a proxy's error page): the status says enough.
  }
  unauthorized(response.status);
  return new ApiError(response.status, json);
}

/** The API root of a tenant. */
export function tenantPath(tenant) {
  return `/api/v1/tenants/${encodeURIComponent(tenant)}`;
}

/**
 * Calls the tenant API; resolves with {json, headers}, rejects with an ApiError.
 * A JSON body is sent as application/json.
 */
export async function call(tenant, path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...keyHeaders(), ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(tenantPath(tenant) + path, init);
  if (!response.ok) {
    throw await errorOf(response);
  }
  const text = await response.text();
  return { json: text ? JSON.parse(text) : null, headers: response.headers };
}

/**
 * A live stream of the API (text/event-stream), read with fetch so that the key goes in a
 * header (EventSource cannot send one). onOpen() once connected, onMessage(data) for each event
 * with data, onClose(error) when the stream ends or fails (not after close()).
 */
export function stream(tenant, path, { onOpen, onMessage, onClose }) {
  const abort = new AbortController();
  (async () => {
    let error = null;
    try {
      const response = await fetch(tenantPath(tenant) + path,
        { headers: { Accept: 'text/event-stream', ...keyHeaders() }, signal: abort.signal });
      if (!response.ok) throw await errorOf(response);
      onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let data = [];
      let type = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).replace(/\r$/, '');
          buffer = buffer.slice(end + 1);
          if (line === '') {
            // An event ends at a blank line; comments (heartbeats) carry no data. A typed event
            // (`reload`) comes with its type, a score change without.
            if (data.length) onMessage(data.join('\n'), type);
            data = [];
            type = null;
          } else if (line.startsWith('event:')) {
            type = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data.push(line.slice(5).replace(/^ /, ''));
          }
        }
      }
    } catch (e) {
      error = e;
    }
    if (!abort.signal.aborted) onClose(error);
  })();
  return { close: () => abort.abort() };
}

/** Who the key in use is: {caller: "operator"|"key"|"anyone", tenant, role} (GET /api/v1/whoami). */
export async function whoami() {
  const response = await fetch('/api/v1/whoami', { headers: { Accept: 'application/json', ...keyHeaders() } });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** GET and the JSON only. */
export async function get(tenant, path) {
  return (await call(tenant, path)).json;
}

/** A query string of the defined, non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
