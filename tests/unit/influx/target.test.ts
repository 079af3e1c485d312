/**
 * Where and how the writer sends (src/outputs/influx/target.ts): v1 and v2 paths with their query
 * strings, the token header or Basic auth, which servers get the InfluxQL set-up, and that the
 * token is blanked out of anything shown.
 */
import { describe, expect, it } from 'vitest';
import {
  authKind,
  authOptions,
  describeDestination,
  influxTarget,
  redactSecrets,
  usesInfluxQLSetup,
  writePath,
  type InfluxConfig,
} from '../../../src/outputs/influx/target.js';

const influx = (over: Partial<InfluxConfig> = {}): InfluxConfig => ({
  enabled: true,
  url: 'http://127.0.0.1:8086',
  api: 'v1',
  database: 'lineside',
  tokenScheme: 'Token',
  setup: 'auto',
  createDatabase: true,
  retentionPolicy: { name: 'lineside', duration: '90d' },
  batchSize: 5000,
  flushInterval: 1000,
  writeSamples: true,
  rejectUnauthorized: true,
  ...over,
});

describe('influxTarget with a token and the v2 API', () => {
  it('v1 with a token: /write with db, rp and microseconds, behind the path prefix, Token header', () => {
    const target = influxTarget(influx({ url: 'https://influx2.plant:8086/proxy/', token: 's3cret-token' }));
    expect(target.token).toEqual({ scheme: 'Token', value: 's3cret-token' });
    expect(target.v2).toBeUndefined();
    expect(writePath(target)).toBe('/proxy/write?db=lineside&rp=lineside&precision=u');
    expect(authOptions(target)).toEqual({ headers: { authorization: 'Token s3cret-token' } });
    expect(describeDestination(target)).toBe('database "lineside", retention policy "lineside"');
  });

  it('v2: /api/v2/write with org, bucket (escaped) and precision us', () => {
    const target = influxTarget(influx({ api: 'v2', org: 'acme corp', bucket: 'lineside/90d', token: 't0ken' }));
    expect(target.v2).toEqual({ org: 'acme corp', bucket: 'lineside/90d' });
    expect(writePath(target)).toBe('/api/v2/write?org=acme+corp&bucket=lineside%2F90d&precision=us');
    expect(describeDestination(target)).toBe('bucket "lineside/90d" (org "acme corp")');
  });

  it('Bearer scheme for servers that want it (InfluxDB 3, QuestDB Enterprise)', () => {
    expect(authOptions(influxTarget(influx({ token: 'abc', tokenScheme: 'Bearer' })))).toEqual({
      headers: { authorization: 'Bearer abc' },
    });
  });

  it('Basic auth from username/password when there is no token; nothing when neither', () => {
    expect(authOptions(influxTarget(influx({ username: 'w', password: 'p' })))).toEqual({ auth: 'w:p' });
    expect(authOptions(influxTarget(influx()))).toEqual({});
    expect(authOptions(influxTarget(influx({ token: '' })))).toEqual({});
  });

  it('refuses v2 without org or bucket even when the loader was bypassed', () => {
    expect(() => influxTarget(influx({ api: 'v2', token: 't' }))).toThrow(/influx.api v2 needs influx.org/);
  });

  it('reports the kind of auth, never its value', () => {
    expect(authKind(influx({ token: 't' }))).toBe('token');
    expect(authKind(influx({ username: 'u' }))).toBe('basic');
    expect(authKind(influx({ url: 'http://u:p@h:8086' }))).toBe('basic');
    expect(authKind(influx())).toBe('none');
  });
});

describe('usesInfluxQLSetup', () => {
  it.each([
    ['InfluxDB 1.x (v1, no token)', {}, true],
    ['a token (InfluxDB 2.x/3.x over v1)', { token: 't' }, false],
    ['the v2 API', { api: 'v2' as const, org: 'o', bucket: 'b', token: 't' }, false],
    ['setup off (QuestDB)', { setup: 'off' as const }, false],
  ])('%s: %s', (_name, over, expected) => {
    expect(usesInfluxQLSetup(influx(over))).toBe(expected);
  });
});

describe('redactSecrets', () => {
  it('blanks the token and the password wherever a server echoes them', () => {
    const target = influxTarget(influx({ token: 'tok-123456' }));
    expect(redactSecrets('bad header "Token tok-123456" (tok-123456)', target)).toBe(
      'bad header "Token [redacted]" ([redacted])',
    );
    const basic = influxTarget(influx({ username: 'u', password: 'hunter22' }));
    expect(redactSecrets('user u password hunter22', basic)).toBe('user u password [redacted]');
  });

  it('leaves text alone when there is nothing to hide, or the secret is too short to hunt', () => {
    expect(redactSecrets('HTTP 401', influxTarget(influx()))).toBe('HTTP 401');
    expect(redactSecrets('1 2 3', influxTarget(influx({ token: '1' })))).toBe('1 2 3');
  });
});
