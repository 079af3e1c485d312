// Operator actions through the API: login (a session cookie), assigning a downtime reason and
// acknowledging an alert. Errors come back as {error: {code, message}}. Who acted is the login;
// `by` is only sent with the shared operator token, where the server cannot know the name.

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  let payload;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  if (!res.ok) {
    const error = new Error(payload?.error?.message ?? `HTTP ${res.status}`);
    error.code = payload?.error?.code ?? 'HTTP_' + res.status;
    error.status = res.status;
    throw error;
  }
  return payload;
}

export async function session() {
  const res = await fetch('/api/session', { credentials: 'same-origin' });
  if (!res.ok) return { operator: false, operatorEnabled: false, usersEnabled: false, permissions: [] };
  return res.json();
}

/** `{user, password}` for a named user, `{token}` for the operator token. */
export const login = (credentials) => post('/api/login', credentials);
export const logout = () => post('/api/logout', {});

export function assignReason(downtimeId, reason, by) {
  return post(`/api/downtime/${encodeURIComponent(downtimeId)}/reason`, { reason, ...(by ? { by } : {}) });
}

export function acknowledgeAlert(alertId, by) {
  return post(`/api/alerts/${encodeURIComponent(alertId)}/ack`, by ? { by } : {});
}

export async function stationHistory(stationId, from, to, points) {
  const q = new window.URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)), points: String(points) });
  const res = await fetch(`/api/stations/${encodeURIComponent(stationId)}/history?${q}`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
  return res.json();
}
