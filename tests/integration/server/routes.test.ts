/**
 * Every HTTP route through `app.inject()`: what a viewer, an operator and a stranger get, bad
 * input (400 with a message naming the field), unknown ids (404), and the coded error body.
 * The app runs against a real history on a temp SQLite file and a port fake of the core.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createHarness,
  OPERATOR_TOKEN,
  testConfig,
  VIEW_TOKEN,
  type Harness,
  type HarnessOptions,
} from './support/harness.js';
import { figures } from './support/fake-line.js';

let h: Harness | undefined;
async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await createHarness(options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const op = { authorization: `Bearer ${OPERATOR_TOKEN}` };
/** Inject options of a JSON POST, with extra headers (credentials, Origin). */
const post = (
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  extra: { remoteAddress?: string } = {},
) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json', ...headers },
  payload: JSON.stringify(body),
  ...extra,
});
function errorCode(res: { json(): unknown }): string | undefined {
  return (res.json() as { error?: { code?: string } }).error?.code;
}

describe('GET / and the page assets', () => {
  it('serves the page with a strict content security policy and no CDN references', async () => {
    const { app } = await harness();
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).not.toMatch(/https?:\/\/(?!127)/);
    const js = await app.inject('/static/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    const again = await app.inject({ url: '/static/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves nothing outside the page directory', async () => {
    const { app } = await harness();
    for (const url of ['/static/nope.js', '/static/..%2Fpackage.json', '/static/%2E%2E%2F%2E%2E%2Fpackage.json']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
  });

  it('with a view token: refuses strangers, remembers a ?token= bookmark in a cookie and drops it from the URL', async () => {
    const { app } = await harness({ config: testConfig({ viewToken: VIEW_TOKEN, operatorToken: OPERATOR_TOKEN }) });
    const stranger = await app.inject('/');
    expect(stranger.statusCode).toBe(401);
    expect(stranger.body).toContain('view token');
    expect((await app.inject('/?token=wrong')).statusCode).toBe(401);
    const bookmark = await app.inject(`/?token=${VIEW_TOKEN}`);
    expect(bookmark.statusCode).toBe(303);
    expect(bookmark.headers.location).toBe('/');
    // A TV pointed at one line keeps the line, and only the line.
    const lineBookmark = await app.inject(`/?line=line%202&token=${VIEW_TOKEN}&x=%2F%2Fevil`);
    expect(lineBookmark.headers.location).toBe('/?line=line+2');
    const cookie = String(bookmark.headers['set-cookie']).split(';')[0] ?? '';
    expect(String(bookmark.headers['set-cookie'])).toContain('HttpOnly');
    const page = await app.inject({ url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/snapshot', headers: { cookie } })).statusCode).toBe(200);
    // Assets stay reachable for the login prompt.
    expect((await app.inject('/static/styles.css')).statusCode).toBe(200);
  });
});

describe('GET /api/snapshot', () => {
  it('lists every station of the config with its live state, and the shift so far from the history', async () => {
    const { app, fake } = await harness();
    fake.cycle('press', 12_400);
    const id = fake.breakdown('weld', { faultCode: 17, reason: 'hydraulic' });
    const res = await app.inject('/api/snapshot');
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view.stations.map((s: { id: string }) => s.id)).toEqual(['press', 'weld', 'pack']);
    expect(view.stations[0]).toMatchObject({
      name: 'Press 400t',
      state: 'running',
      lastCycleTimeMs: 12_400,
      idealCycleTimeMs: 12_000,
      counts: { total: 1 },
    });
    expect(view.stations[1]).toMatchObject({
      state: 'down',
      reason: 'hydraulic',
      reasonLabel: 'Hydraulic pressure low',
      openDowntime: { id },
    });
    expect(view.lines[0]).toMatchObject({
      id: 'line1',
      name: 'Stamping line 1',
      outputStation: 'pack',
      shift: { name: 'early' },
    });
    expect(view.downtime).toEqual([
      expect.objectContaining({ id, station: 'weld', reasonLabel: 'Hydraulic pressure low' }),
    ]);
    expect(view.timeline.weld[view.timeline.weld.length - 1]).toMatchObject({ state: 'down' });
    expect(view.timezone).toBe('Europe/Berlin');
    expect(view.reasons.map((r: { id: string }) => r.id)).toContain('die-jam');
    expect(view.operatorEnabled).toBe(true);
    expect(view.devices[0]).toMatchObject({ device: 'plc1', connected: true });
  });

  it('needs the view token when one is configured', async () => {
    const { app } = await harness({ config: testConfig({ viewToken: VIEW_TOKEN }) });
    const res = await app.inject('/api/snapshot');
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHORIZED');
    expect(
      (await app.inject({ url: '/api/snapshot', headers: { authorization: `Bearer ${VIEW_TOKEN}` } })).statusCode,
    ).toBe(200);
  });
});

describe('GET /api/stations/:id/history', () => {
  it('returns states, downsampled cycles and downtime of a station over a range', async () => {
    const { app, fake } = await harness();
    for (let i = 0; i < 500; i++) fake.cycle('press', 12_000 + (i % 10) * 100);
    fake.breakdown('press');
    const now = Date.now();
    const res = await app.inject(`/api/stations/press/history?from=${now - 3600_000}&to=${now + 60_000}&points=20`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.cycles.length).toBeLessThanOrEqual(20);
    expect(body.cycles.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(500);
    expect(body.states[body.states.length - 1]).toMatchObject({ state: 'down' });
    expect(body.downtime).toHaveLength(1);
    // ISO times work too, and the default range is the current shift.
    const iso = await app.inject(`/api/stations/press/history?from=${new Date(now - 3600_000).toISOString()}`);
    expect(iso.statusCode).toBe(200);
    expect((await app.inject('/api/stations/press/history')).json().from).toBe(fake.shift?.start);
  });

  it('answers 404 for an unknown station and 400 for a bad range', async () => {
    const { app } = await harness();
    const unknown = await app.inject('/api/stations/nope/history');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('press');
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['from=2000&to=1000', 'before'],
      ['points=0', 'points'],
      ['points=99999', 'points'],
      ['to=1e9', 'to'],
    ] as const) {
      const res = await app.inject(`/api/stations/press/history?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(errorCode(res)).toBe('BAD_REQUEST');
      expect(res.json().error.message).toContain(field);
    }
  });
});

describe('GET /api/oee', () => {
  it('gives the live shift figures of a line, and a recorded shift from the history', async () => {
    const { app, fake } = await harness();
    const live = await app.inject('/api/oee?line=line1');
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ line: 'line1', source: 'live', window: { kind: 'shift', shift: 'early' } });
    expect(live.json().stations).toHaveLength(3);
    fake.oeeSnapshot('pack', figures({ oee: 0.61 }), true);
    fake.oeeSnapshot(undefined, figures({ oee: 0.61 }), true);
    const recorded = await app.inject('/api/oee?shift=early');
    expect(recorded.statusCode).toBe(200);
    expect(recorded.json()).toMatchObject({ source: 'history', final: true, figures: { oee: 0.61 } });
    expect(recorded.json().stations).toEqual([expect.objectContaining({ station: 'pack' })]);
    const byStart = await app.inject(`/api/oee?start=${fake.shift?.start}`);
    expect(byStart.json().figures.oee).toBe(0.61);
  });

  it('answers 404 for an unknown line or shift, or a shift not in the history, and 400 for a bad start', async () => {
    const { app } = await harness();
    expect(errorCode(await app.inject('/api/oee?line=line9'))).toBe('NOT_FOUND');
    expect((await app.inject('/api/oee?shift=brunch')).statusCode).toBe(404);
    const none = await app.inject('/api/oee?shift=night');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toContain('night');
    expect((await app.inject('/api/oee?start=soon')).statusCode).toBe(400);
  });
});

describe('GET /api/alerts and /api/downtime', () => {
  it('lists alerts, filtered by status', async () => {
    const { app, fake } = await harness();
    fake.raiseAlert('weld', 'a1', { severity: 'critical' });
    fake.raiseAlert('press', 'a2');
    fake.acknowledgeAlert('a2', {});
    const all = await app.inject('/api/alerts');
    expect(
      all
        .json()
        .alerts.map((a: { id: string }) => a.id)
        .sort(),
    ).toEqual(['a1', 'a2']);
    const active = await app.inject('/api/alerts?status=active');
    expect(active.json().alerts.map((a: { id: string }) => a.id)).toEqual(['a1']);
    expect((await app.inject('/api/alerts?status=sleeping')).statusCode).toBe(400);
    expect((await app.inject('/api/alerts?since=never')).statusCode).toBe(400);
  });

  it('prefers the alerts port when the agent provides one', async () => {
    const { app, fake } = await harness({ alertsPort: true });
    fake.raiseAlert('weld', 'a1');
    expect((await app.inject('/api/alerts')).json().alerts).toEqual([
      expect.objectContaining({ id: 'a1', status: 'active' }),
    ]);
  });

  it('lists downtime of a station and refuses an unknown one', async () => {
    const { app, fake } = await harness();
    fake.breakdown('press');
    fake.breakdown('weld');
    const res = await app.inject('/api/downtime?station=weld');
    expect(res.json().downtime.map((d: { station: string }) => d.station)).toEqual(['weld']);
    expect((await app.inject('/api/downtime?station=nope')).statusCode).toBe(404);
    expect((await app.inject('/api/downtime?limit=0')).statusCode).toBe(400);
  });
});

describe('POST /api/downtime/:id/reason', () => {
  it('assigns a configured reason: the command reaches the core port and the history keeps who did it', async () => {
    const { app, fake, history } = await harness();
    const id = fake.breakdown('press');
    const res = await app.inject({
      method: 'POST',
      url: `/api/downtime/${id}/reason`,
      headers: { ...op, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'die-jam', by: 'Anna', note: 'die 4 again' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      downtimeId: id,
      reason: 'die-jam',
      downtime: { reason: 'die-jam', reasonLabel: 'Die jam', reasonBy: 'Anna' },
    });
    expect(fake.commands).toEqual([
      {
        kind: 'assignReason',
        id,
        reason: 'die-jam',
        by: { user: 'Anna', role: 'supervisor', via: 'operator-token', note: 'die 4 again' },
      },
    ]);
    expect(history.downtimeById(id)).toMatchObject({
      reason: 'die-jam',
      reasonBy: 'Anna',
      reasonNote: 'die 4 again',
      reasonRole: 'supervisor',
      reasonVia: 'operator-token',
    });
  });

  it('refuses without credentials (401), with a wrong token (401), and when no operator token is configured (403)', async () => {
    const { app, fake } = await harness();
    const id = fake.breakdown('press');
    const url = `/api/downtime/${id}/reason`;
    const none = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{"reason":"die-jam"}',
    });
    expect(none.statusCode).toBe(401);
    expect(errorCode(none)).toBe('UNAUTHORIZED');
    const wrong = await app.inject({
      method: 'POST',
      url,
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      payload: '{"reason":"die-jam"}',
    });
    expect(wrong.statusCode).toBe(401);
    expect(fake.commands).toEqual([]);
    await h?.close();
    const { app: closed } = await harness({ config: testConfig({}) });
    const disabled = await closed.inject({
      method: 'POST',
      url,
      headers: { ...op, 'content-type': 'application/json' },
      payload: '{"reason":"die-jam"}',
    });
    expect(disabled.statusCode).toBe(403);
    expect(errorCode(disabled)).toBe('OPERATOR_DISABLED');
    expect(disabled.json().error.message).toContain('server.operatorToken');
  });

  it('answers 400 with the field for bad bodies, and 404 for an unknown downtime', async () => {
    const { app, fake } = await harness();
    const id = fake.breakdown('press');
    const url = `/api/downtime/${id}/reason`;
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ['{}', { 'content-type': 'application/json' }, 'BAD_REQUEST', 'body.reason'],
      ['{"reason":42}', { 'content-type': 'application/json' }, 'BAD_REQUEST', 'body.reason'],
      ['{"reason":"die-jam","colour":"red"}', { 'content-type': 'application/json' }, 'BAD_REQUEST', 'colour'],
      ['{"reason":', { 'content-type': 'application/json' }, 'BAD_REQUEST', 'JSON'],
      ['{"reason":"coffee"}', { 'content-type': 'application/json' }, 'UNKNOWN_REASON', 'hydraulic'],
      [
        `{"reason":"die-jam","note":"${'x'.repeat(600)}"}`,
        { 'content-type': 'application/json' },
        'BAD_REQUEST',
        'body.note',
      ],
    ];
    for (const [payload, headers, code, mention] of cases) {
      const res = await app.inject({ method: 'POST', url, headers: { ...op, ...headers }, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(errorCode(res), payload).toBe(code);
      expect(res.json().error.message, payload).toContain(mention);
    }
    const xml = await app.inject({
      method: 'POST',
      url,
      headers: { ...op, 'content-type': 'application/xml' },
      payload: '<reason>die-jam</reason>',
    });
    expect(xml.statusCode).toBe(415);
    expect(errorCode(xml)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await app.inject({
      method: 'POST',
      url,
      headers: { ...op, 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: 'x'.repeat(20_000) }),
    });
    expect(big.statusCode).toBe(413);
    const unknown = await app.inject(post('/api/downtime/dt-nope/reason', { reason: 'die-jam' }, op));
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('NOT_FOUND');
  });

  it('refuses a cross-site request riding on the operator cookie (403), same-origin passes', async () => {
    const { app, fake } = await harness();
    const id = fake.breakdown('press');
    const session = await app.inject(post('/api/login', { token: OPERATOR_TOKEN }));
    const cookie = String(session.headers['set-cookie']).split(';')[0] ?? '';
    const evil = await app.inject(
      post(
        `/api/downtime/${id}/reason`,
        { reason: 'die-jam' },
        { cookie, origin: 'http://evil.example', host: 'pi:8080' },
      ),
    );
    expect(evil.statusCode).toBe(403);
    expect(errorCode(evil)).toBe('ORIGIN_NOT_ALLOWED');
    const same = await app.inject(
      post(`/api/downtime/${id}/reason`, { reason: 'die-jam' }, { cookie, origin: 'http://pi:8080', host: 'pi:8080' }),
    );
    expect(same.statusCode).toBe(200);
    // A script elsewhere holding the token itself is not riding on anyone's session.
    const script = await app.inject(
      post(
        `/api/downtime/${id}/reason`,
        { reason: 'changeover' },
        { ...op, origin: 'https://mes.plant', host: 'pi:8080' },
      ),
    );
    expect(script.statusCode).toBe(200);
    const login = await app.inject(
      post('/api/login', { token: OPERATOR_TOKEN }, { origin: 'http://evil.example', host: 'pi:8080' }),
    );
    expect(login.statusCode).toBe(403);
  });
});

describe('POST /api/alerts/:id/ack', () => {
  it('acknowledges an active alert through the port and records who did it', async () => {
    const { app, fake, history } = await harness();
    fake.raiseAlert('weld', 'weld-drift-1');
    const res = await app.inject(post('/api/alerts/weld-drift-1/ack', { by: 'Ben' }, op));
    expect(res.statusCode).toBe(200);
    expect(res.json().alert).toMatchObject({ id: 'weld-drift-1', status: 'acknowledged', ackBy: 'Ben' });
    expect(fake.commands).toEqual([
      { kind: 'acknowledgeAlert', id: 'weld-drift-1', by: { user: 'Ben', role: 'supervisor', via: 'operator-token' } },
    ]);
    expect(history.alertById('weld-drift-1')?.ackBy).toBe('Ben');
    // No body at all is fine too.
    fake.raiseAlert('weld', 'weld-drift-2');
    expect((await app.inject({ method: 'POST', url: '/api/alerts/weld-drift-2/ack', headers: op })).statusCode).toBe(
      200,
    );
  });

  it('answers 401 without credentials, 404 for an unknown alert and 400 for a bad body', async () => {
    const { app, fake } = await harness();
    fake.raiseAlert('weld', 'a1');
    expect((await app.inject({ method: 'POST', url: '/api/alerts/a1/ack' })).statusCode).toBe(401);
    const unknown = await app.inject(post('/api/alerts/nope/ack', {}, op));
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const bad = await app.inject(post('/api/alerts/a1/ack', { by: 7 }, op));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('body.by');
  });
});

describe('POST /api/login, /api/logout and the rate limit', () => {
  it('gives a session cookie for the right token that works for actions until logout', async () => {
    const { app, fake } = await harness();
    const wrong = await app.inject(post('/api/login', { token: 'guess' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await app.inject(post('/api/login', {}))).statusCode).toBe(400);
    const login = await app.inject(post('/api/login', { token: OPERATOR_TOKEN }));
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).json()).toEqual({
      viewer: true,
      operator: true,
      operatorEnabled: true,
      usersEnabled: false,
      user: 'operator',
      role: 'supervisor',
      via: 'operator-token',
      permissions: [
        'assignReason',
        'editReason',
        'acknowledgeAlert',
        'setProduct',
        'runOrders',
        'recordScrap',
        'makeReports',
      ],
    });
    const id = fake.breakdown('pack');
    expect(
      (await app.inject(post(`/api/downtime/${id}/reason`, { reason: 'changeover' }, { cookie }))).statusCode,
    ).toBe(200);
    const logout = await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
    expect(String(logout.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('limits POSTs per client (429 with Retry-After), and wrong tokens use up the allowance faster', async () => {
    const { app } = await harness({ options: { rateLimit: { burst: 10, perSecond: 0.001 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.inject(post('/api/login', { token: 'guess' }))).statusCode);
    // A burst of 10, but a failed login costs 1 + 5: the third guess is already refused.
    expect(statuses).toEqual([401, 401, 429, 429]);
    const limited = await app.inject(post('/api/login', { token: OPERATOR_TOKEN }));
    expect(limited.statusCode).toBe(429);
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is unaffected.
    expect(
      (await app.inject(post('/api/login', { token: OPERATOR_TOKEN }, {}, { remoteAddress: '10.0.0.9' }))).statusCode,
    ).toBe(200);
  });
});

describe('GET /healthz, /readyz, /metrics', () => {
  it('is alive, and ready only while sources are connected and the spool and history can write', async () => {
    const { app, health } = await harness();
    expect((await app.inject('/healthz')).json()).toMatchObject({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    health.devices = [
      {
        ...(health.devices[0] as (typeof health.devices)[0]),
        connected: false,
        lastError: 'MODBUS_TIMEOUT plc1 (tcp://127.0.0.1:502 unit 1): read holding 0..9',
      },
    ];
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks).toContainEqual(
      expect.objectContaining({ name: 'sources', ok: false, detail: expect.stringContaining('MODBUS_TIMEOUT plc1') }),
    );
    health.devices = [{ ...(health.devices[0] as (typeof health.devices)[0]), connected: true }];
    health.spoolStatus = {
      depth: 0,
      bytes: 0,
      dropped: 0,
      errors: 3,
      writable: false,
      lastError: 'SPOOL_IO disk full',
    };
    const spool = await app.inject('/readyz');
    expect(spool.statusCode).toBe(503);
    expect(spool.json().checks).toContainEqual({ name: 'spool', ok: false, detail: 'SPOOL_IO disk full' });
    // Outputs are listed by name; one that is down does not make the agent unready (the spool keeps its rows).
    health.spoolStatus = { depth: 0, bytes: 0, dropped: 0, errors: 0, writable: true };
    health.outputStatus = [
      { name: 'mqtt', up: false, sent: 0, errors: 4, lastError: 'MQTT_CONNECT connection refused' },
      { name: 'influx', up: true, sent: 10, errors: 0 },
    ];
    const outputs = await app.inject('/readyz');
    expect(outputs.statusCode).toBe(200);
    expect(outputs.json().outputs).toEqual([
      { name: 'mqtt', up: false, detail: 'MQTT_CONNECT connection refused' },
      { name: 'influx', up: true },
    ]);
  });

  it('exposes Prometheus metrics of devices, spool, outputs, websocket clients, event loop and memory', async () => {
    const { app, fake } = await harness();
    fake.cycle('press', 12_000);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    for (const series of [
      'lineside_modbus_requests_total{device="plc1"} 1200',
      'lineside_modbus_errors_total{device="plc1"} 3',
      'lineside_modbus_latency_seconds{device="plc1",quantile="0.99"} 0.0185',
      'lineside_spool_depth 12',
      'lineside_output_sent_total{output="mqtt"} 4321',
      'lineside_output_up{output="mqtt"} 1',
      'lineside_ws_clients 0',
      'lineside_core_events_total{type="cycle"} 1',
      'process_resident_memory_bytes ',
    ]) {
      expect(res.body, series).toContain(series);
    }
    // The event-loop histogram needs a few samples (10 ms apart) before it reports.
    await vi.waitFor(
      async () =>
        expect((await app.inject('/metrics')).body).toContain('lineside_event_loop_lag_seconds{quantile="0.99"}'),
      { timeout: 10_000, interval: 50 },
    );
    // Every sample line is "name{labels} number".
    for (const line of res.body
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#')))
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$/);
  });

  it('leaves out what the agent does not run, and needs the view token when one is set', async () => {
    const { app } = await harness({ bareHealth: true, config: testConfig({ viewToken: VIEW_TOKEN }) });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${VIEW_TOKEN}` } });
    expect(res.body).not.toContain('lineside_spool_depth');
    expect(res.body).not.toContain('lineside_output');
    // Probes stay open for the orchestrator.
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });

  it('answers unknown routes with a coded 404', async () => {
    const { app } = await harness();
    const res = await app.inject('/api/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/nothing' } });
  });
});
