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

/** The API root of a tenant. */
export function tenantPath(tenant) {
  return `/api/v1/tenants/${encodeURIComponent(tenant)}`;
}

/**
 * Calls the tenant API; resolves with {json, headers}, rejects with an ApiError.
 * A JSON body is sent as application/json.
 */
export async function call(tenant, path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(tenantPath(tenant) + path, init);
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not the API's JSON (a proxy's error page): the status says enough.
  }
  if (!response.ok) {
    throw new ApiError(response.status, json);
  }
  return { json, headers: response.headers };
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
