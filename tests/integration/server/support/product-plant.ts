/**
 * A line of two stations on the real core behind the real server, with two products and named
 * users (anna: operator, max: maintenance): for the product tests over REST and in Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { loadConfigText } from '../../../../src/config/load.js';
import { createCore, type Core } from '../../../../src/core/core.js';
import type { ProductEvent } from '../../../../src/core/events.js';
import { silentLogger } from '../../../../src/lib/logger.js';
import { openHistoryStore } from '../../../../src/outputs/history/store.js';
import { commandsPortOf, livePortOf } from '../../../../src/server/adapt-core.js';
import { buildApp } from '../../../../src/server/app.js';
import type { DashboardView } from '../../../../src/server/view-model.js';
import { hashPassword } from '../../../../src/users/password.js';
import { writeUsers } from '../../../../src/users/users-file.js';
import { configYaml, FakeHealth, ManualClock } from './harness.js';

export const PASSWORD = 'correct horse battery';
const AT = '2026-12-01T06:00:00.000Z';

export const post = (url: string, body: unknown, cookie?: string) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json', ...(cookie !== undefined ? { cookie } : {}) },
  payload: JSON.stringify(body),
});

export interface ProductPlant {
  readonly app: FastifyInstance;
  readonly core: Core;
  /** Product events of the core, in order. */
  readonly products: ProductEvent[];
  /** Both stations make a part every `everyS` seconds for `seconds` (virtual time). */
  run(seconds: number, everyS: number): void;
  login(name: string): Promise<string>;
  snapshot(): Promise<DashboardView>;
  close(): Promise<void>;
}

export async function productPlant(): Promise<ProductPlant> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'lineside-products-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const usersFile = path.join(dir, 'users.json');
  // A low scrypt cost keeps the suite fast; the format carries the cost.
  const password = await hashPassword(PASSWORD, 10);
  const user = (name: string, role: 'operator' | 'maintenance') => ({ name, role, password, created: AT, updated: AT });
  writeUsers(usersFile, { version: 1, users: [user('anna', 'operator'), user('max', 'maintenance')] });
  const yaml = configYaml({ usersFile, storageDir: dir }, 2).replace(
    'lines:\n',
    `scrapReasons:
  - { id: dimension, label: Out of tolerance }
  - { id: burr, label: Burr on the edge }
products:
  - { id: bracket-a, name: Bracket A, idealCycleTime: 12s, changeoverTarget: 15m }
  - { id: bracket-b, name: Bracket B, idealCycleTime: 18s }
lines:
`,
  );
  const loaded = loadConfigText(yaml, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const config = loaded.config;
  // 09:00 in Berlin on a Monday: the early shift runs.
  const clock = new ManualClock(Date.UTC(2025, 10, 24, 8, 0, 0));
  const history = openHistoryStore({ dir, retentionMs: config.storage.historyRetention, clock, logger: silentLogger });
  cleanups.push(() => history.close());
  const core = createCore(config, { clock });
  const products: ProductEvent[] = [];
  cleanups.push(core.on((e) => history.record(e)));
  cleanups.push(core.on((e) => (e.type === 'product' ? products.push(e) : undefined)));
  const app = await buildApp({
    config,
    logger: silentLogger,
    clock,
    live: livePortOf(core),
    commands: commandsPortOf(core),
    history,
    health: new FakeHealth(),
    options: { rateLimit: { burst: 10_000, perSecond: 1_000 } },
  });
  await app.ready();
  cleanups.push(() => app.close());
  let count = 0;
  return {
    app,
    core,
    products,
    run(seconds, everyS) {
      for (let i = 1; i <= seconds; i++) {
        clock.advance(1000);
        if (i % everyS === 0) count++;
        for (const id of ['press', 'weld']) {
          const at = { ts: clock.wallMs(), mono: clock.monoMs() };
          core.sample({ tag: `plc1.${id}Count`, value: count, ...at });
          core.sample({ tag: `plc1.${id}Fault`, value: 0, ...at });
        }
        core.tick();
      }
    },
    async login(name) {
      const res = await app.inject(post('/api/login', { user: name, password: PASSWORD }));
      expect(res.statusCode, res.body).toBe(200);
      return String(res.headers['set-cookie']).split(';')[0] ?? '';
    },
    async snapshot() {
      return (await app.inject('/api/snapshot')).json() as DashboardView;
    },
    async close() {
      for (const c of cleanups.splice(0).reverse()) await c();
    },
  };
}
