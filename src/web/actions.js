// @ts-check
// Operator actions through the API: login (a session cookie), assigning a downtime reason,
// acknowledging an alert, setting the product, starting and stopping an order, recording scrap,
// making a report. Errors come back
// as {error: {code, message}}. Who acted is the login; `by` is only sent with the shared operator
// token, where the server cannot know the name.

/** @import { AlertView, CycleBucket, DowntimeView, SpanView } from '../server/view-model.js' */
/** @import { OrderView } from '../core/line-orders.js' */

/**
 * What `GET /api/session` and the login routes answer: SessionView of src/server/session-view.ts,
 * written out here because importing that module would pull the server's code (and Node's types)
 * into the page's type check. Keep the two alike.
 * @typedef {object} Session
 * @property {boolean} operator
 * @property {boolean} operatorEnabled
 * @property {boolean} usersEnabled
 * @property {string} [user]
 * @property {string} [role]
 * @property {'login' | 'api-token' | 'operator-token'} [via]
 * @property {readonly string[]} permissions
 */

/**
 * What `GET /api/stations/:id/history` answers (src/server/routes-api.ts).
 * @typedef {object} StationHistory
 * @property {string} station
 * @property {number} from
 * @property {number} to
 * @property {number} points
 * @property {readonly SpanView[]} states
 * @property {readonly CycleBucket[]} cycles
 * @property {readonly DowntimeView[]} downtime
 */

/** A refused request: the server's `{error: {code, message}}` and the HTTP status. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   * @param {number} status
   */
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * @template T what the route answers: the server's word, not checked here
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<T>}
 */
async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  /** @type {unknown} */
  let payload;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  if (!res.ok) {
    const error = /** @type {{ error?: { code?: string, message?: string } } | null} */ (payload)?.error;
    throw new ApiError(error?.message ?? `HTTP ${res.status}`, error?.code ?? 'HTTP_' + res.status, res.status);
  }
  return /** @type {T} */ (payload);
}

/** @returns {Promise<Session>} */
export async function session() {
  const res = await fetch('/api/session', { credentials: 'same-origin' });
  if (!res.ok) return { operator: false, operatorEnabled: false, usersEnabled: false, permissions: [] };
  return /** @type {Promise<Session>} */ (res.json());
}

/**
 * `{user, password}` for a named user, `{token}` for the operator token.
 * @type {(credentials: { user: string, password: string } | { token: string }) => Promise<Session>}
 */
export const login = (credentials) => post('/api/login', credentials);
/** @type {() => Promise<unknown>} */
export const logout = () => post('/api/logout', {});

/**
 * @param {string} downtimeId
 * @param {string} reason
 * @param {string} [by]
 * @returns {Promise<{ downtime?: DowntimeView }>}
 */
export function assignReason(downtimeId, reason, by) {
  return post(`/api/downtime/${encodeURIComponent(downtimeId)}/reason`, { reason, ...(by ? { by } : {}) });
}

/**
 * @param {string} alertId
 * @param {string} [by]
 * @returns {Promise<{ alert?: AlertView }>}
 */
export function acknowledgeAlert(alertId, by) {
  return post(`/api/alerts/${encodeURIComponent(alertId)}/ack`, by ? { by } : {});
}

/**
 * The product a line runs from now on; null for none.
 * @param {string} lineId
 * @param {string | null} product
 * @param {string} [by]
 * @returns {Promise<{ changed: string[] }>}
 */
export function setProduct(lineId, product, by) {
  return post(`/api/lines/${encodeURIComponent(lineId)}/product`, { product, ...(by ? { by } : {}) });
}

/**
 * What starts an order (`POST /api/lines/:line/order`): `quantity` may be left out to resume a
 * stopped order; `due` is ISO-8601 with its offset.
 * @typedef {{ id: string, product?: string, quantity?: number, due?: string }} OrderRequest
 */

/**
 * Starts a new order on a line, or resumes a stopped one with the same id.
 * @param {string} lineId
 * @param {OrderRequest} order
 * @param {string} [by]
 * @returns {Promise<{ order: OrderView }>}
 */
export function startOrder(lineId, order, by) {
  return post(`/api/lines/${encodeURIComponent(lineId)}/order`, { ...order, ...(by ? { by } : {}) });
}

/**
 * Stops the line's running order (it can be resumed).
 * @param {string} lineId
 * @param {string} [by]
 * @returns {Promise<{ order: OrderView }>}
 */
export function stopOrder(lineId, by) {
  return post(`/api/lines/${encodeURIComponent(lineId)}/order/stop`, by ? { by } : {});
}

/**
 * Parts the station counted good this shift were found bad: they become rejects under `reason`.
 * @param {string} stationId
 * @param {import('./scrap-format.js').ScrapRequest} request
 * @param {string} [by]
 * @returns {Promise<{ ok: true, station: string, reason: string, count: number }>}
 */
export function recordScrap(stationId, request, by) {
  return post(`/api/stations/${encodeURIComponent(stationId)}/scrap`, { ...request, ...(by ? { by } : {}) });
}

/**
 * Makes a period's report now (POST /api/reports, permission makeReports): a shift by its start,
 * a day or week by a plant-local date in it.
 * @param {import('./report-format.js').MakeReportBody} body
 * @returns {Promise<{ id: string, line: string, final: boolean, files: string[] }>}
 */
export function makeReport(body) {
  return post('/api/reports', body);
}

/**
 * @param {string} stationId
 * @param {number} from
 * @param {number} to
 * @param {number} points
 * @returns {Promise<StationHistory>}
 */
export async function stationHistory(stationId, from, to, points) {
  const q = new window.URLSearchParams({
    from: String(Math.floor(from)),
    to: String(Math.ceil(to)),
    points: String(points),
  });
  const res = await fetch(`/api/stations/${encodeURIComponent(stationId)}/history?${q}`, {
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
  return /** @type {Promise<StationHistory>} */ (res.json());
}
