// @ts-check
// The live connection: one websocket to the agent, reconnecting by itself with backoff when the
// agent restarts or the Wi-Fi drops. The view cookie (if any) rides along: browsers cannot set
// headers on a websocket.

/** @import { DashboardView, DeltaView, ServerMessage } from '../server/view-model.js' */

/** @typedef {'live' | 'connecting' | 'offline'} LiveStatus */

/**
 * @typedef {object} LiveHandlers
 * @property {(data: DashboardView) => void} onSnapshot
 * @property {(delta: DeltaView) => void} onDelta
 * @property {(status: LiveStatus, offlineSince: number | null) => void} onStatus
 * @property {() => void} onAuthLost
 */

/** @typedef {{ resync(): void, close(): void }} Live */

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

/**
 * @param {LiveHandlers} handlers
 * @returns {Live}
 */
export function connectLive(handlers) {
  /** @type {WebSocket | null} */
  let socket = null;
  let attempt = 0;
  /** @type {number | undefined} */
  let timer;
  let closed = false;
  /** @type {number | null} */
  let offlineSince = null;

  const url = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

  /** @param {LiveStatus} s */
  function status(s) {
    handlers.onStatus(s, offlineSince);
  }

  function open() {
    if (closed) return;
    status(attempt === 0 ? 'connecting' : 'offline');
    let ws;
    try {
      ws = new WebSocket(url());
    } catch {
      schedule();
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      offlineSince = null;
    };
    ws.onmessage = (event) => {
      // Typed, not checked: the agent serves this page, so it speaks the page's protocol.
      /** @type {ServerMessage} */
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'snapshot') {
        handlers.onSnapshot(message.data);
        status('live');
      } else if (message.type === 'delta') {
        handlers.onDelta(message);
      }
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      if (closed) return;
      offlineSince ??= Date.now();
      if (!opened) checkAuth();
      schedule();
    };
    ws.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  /** After failures to connect, ask whether we were logged out (token changed): then reload to the login page. */
  async function checkAuth() {
    if (attempt < 2) return;
    try {
      const res = await fetch('/api/session', { credentials: 'same-origin' });
      if (res.status === 401) handlers.onAuthLost();
    } catch {
      // The agent is down: keep trying.
    }
  }

  function schedule() {
    if (closed) return;
    status('offline');
    attempt++;
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (attempt - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(timer);
    timer = setTimeout(open, delay);
  }

  // A laptop waking from sleep: reconnect now instead of waiting out the backoff.
  window.addEventListener('online', () => {
    if (socket === null && !closed) {
      clearTimeout(timer);
      open();
    }
  });

  open();
  return {
    resync() {
      if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resync' }));
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
