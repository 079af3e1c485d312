/**
 * HTTPS and authentication against a real influxd with both on: the writer creates the database
 * as an admin, writes as a non-admin with only grants, and on a certificate it does not trust or
 * wrong credentials it keeps everything in the spool and says what to fix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createInfluxWriter, type InfluxWriter } from '../../../src/outputs/influx/index.js';
import type { Spool } from '../../../src/outputs/spool/index.js';
import { createTempDir, removeTempDir } from '../../helpers/service.js';
import { cycle } from '../spool/make-events.js';
import { ADMIN, startSecureInfluxd, type SecureInfluxd } from './secure-influxd.js';
import { influxTestConfig, openTestSpool, waitUntil } from './support.js';

const T0 = Date.now() - 3_600_000;

describe('InfluxDB over HTTPS with authentication', () => {
  let influxd: SecureInfluxd;
  const dirs: string[] = [];
  let writer: InfluxWriter | undefined;
  let spool: Spool | undefined;

  beforeAll(async () => {
    influxd = await startSecureInfluxd();
  });
  afterEach(async () => {
    await writer?.stop();
    spool?.close();
    writer = undefined;
    spool = undefined;
  });
  afterAll(async () => {
    await influxd?.close();
    for (const d of dirs) removeTempDir(d);
  });

  function start(influx: Record<string, unknown>, cycles = 10): { w: InfluxWriter; s: Spool } {
    const dir = createTempDir('influx-secure-spool');
    dirs.push(dir);
    const s = openTestSpool(dir);
    const config = influxTestConfig({ url: influxd.url, influx });
    const w = createInfluxWriter({
      config,
      spool: s,
      clock: systemClock,
      logger: silentLogger,
      tuning: { retryMinMs: 100, retryMaxMs: 300 },
    });
    for (let i = 1; i <= cycles; i++) s.appendEvent(cycle('press', i, T0 + i * 12_000));
    s.flush();
    writer = w;
    spool = s;
    return { w, s };
  }

  async function count(db: string): Promise<number> {
    const res = (await influxd.admin('SELECT count("seq") FROM "lineside"."cycle"', db)) as {
      results: Array<{ series?: Array<{ values: unknown[][] }> }>;
    };
    return Number(res.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
  }

  it('creates the database as an admin and writes over HTTPS (self-signed certificate accepted on request)', async () => {
    const { w, s } = start({
      database: 'secure1',
      username: ADMIN.user,
      password: ADMIN.password,
      rejectUnauthorized: false,
    });
    await w.start();
    await waitUntil(() => w.health().ackedId >= s.lastCommittedId(), 'the cycles to be written');
    expect(await count('secure1')).toBe(10);
    expect(w.health()).toMatchObject({ connected: true, url: influxd.url, warnings: [] });
  });

  it('writes as a non-admin user granted ALL on the database (created beforehand by an admin)', async () => {
    await influxd.admin('CREATE DATABASE "secure2"');
    await influxd.admin('CREATE RETENTION POLICY "lineside" ON "secure2" DURATION 90d REPLICATION 1');
    await influxd.admin("CREATE USER writer WITH PASSWORD 'w-secret'");
    // ALL on one database = read and write there (not admin). A second GRANT would replace, not add.
    await influxd.admin('GRANT ALL ON "secure2" TO writer');
    const { w, s } = start({
      database: 'secure2',
      username: 'writer',
      password: 'w-secret',
      rejectUnauthorized: false,
    });
    await w.start();
    await waitUntil(() => w.health().ackedId >= s.lastCommittedId(), 'the cycles to be written');
    expect(await count('secure2')).toBe(10);
    expect(w.health().warnings).toEqual([]);
  });

  it('tells a non-admin user that creating a missing database needs admin rights, and keeps the data', async () => {
    await influxd.admin("CREATE USER writer3 WITH PASSWORD 'w-secret'");
    const { w } = start({ database: 'missing', username: 'writer3', password: 'w-secret', rejectUnauthorized: false });
    await w.start();
    await waitUntil(() => w.health().errors >= 2, 'failed writes');
    expect(w.health().warnings.join('\n')).toMatch(
      /CREATE DATABASE "missing".*admin rights.*influx\.createDatabase: false/,
    );
    expect(w.health()).toMatchObject({ ackedId: 0, poisoned: 0, backlog: 10 });
  });

  it('keeps the data and names the credentials when the password is wrong', async () => {
    const { w, s } = start({ database: 'secure3', username: ADMIN.user, password: 'wrong', rejectUnauthorized: false });
    await w.start();
    await waitUntil(() => w.health().errors >= 3, 'a few failed attempts');
    const h = w.health();
    expect(h.lastErrorCode).toBe('INFLUX_WRITE');
    expect(h.lastError).toMatch(/401/);
    expect(h.lastError).toMatch(/influx\.username "admin"/);
    expect(h.lastError).not.toContain('wrong');
    expect(h).toMatchObject({ connected: false, ackedId: 0, poisoned: 0 });
    expect(h.backlog).toBe(s.lastCommittedId());
  });

  it('refuses a certificate it cannot verify by default, keeping the data', async () => {
    const { w } = start({ database: 'secure4', username: ADMIN.user, password: ADMIN.password });
    await w.start();
    await waitUntil(() => w.health().errors >= 2, 'a few failed attempts');
    expect(w.health().lastError).toMatch(/certificate/i);
    expect(w.health()).toMatchObject({ connected: false, ackedId: 0 });
  });

  it('with createDatabase off, says which retention policy is missing and keeps retrying', async () => {
    await influxd.admin('CREATE DATABASE "secure5"');
    const { w } = start({
      database: 'secure5',
      username: ADMIN.user,
      password: ADMIN.password,
      rejectUnauthorized: false,
      createDatabase: false,
    });
    await w.start();
    await waitUntil(() => w.health().errors >= 2, 'failed writes');
    expect(w.health().warnings.join('\n')).toMatch(/retention policy "lineside" does not exist on database "secure5"/);
    expect(w.health()).toMatchObject({ ackedId: 0, poisoned: 0 });
    // An admin creates it: the writer catches up without a restart.
    await influxd.admin('CREATE RETENTION POLICY "lineside" ON "secure5" DURATION 30d REPLICATION 1');
    await waitUntil(async () => (await count('secure5')) === 10, 'the cycles to land once the policy exists');
  });
});
