/** Which InfluxDB answers drop data (only 400, only the bad points) and which are retried. */
// node-influx's own error for 5xx (status text only), "Request timed out" and "No host available":
// the set-up queries (setup.ts) still go through node-influx.
import { ServiceNotAvailableError } from 'influx/lib/src/pool.js';
import { describe, expect, it } from 'vitest';
import { InfluxHttpError } from '../../../src/outputs/influx/client.js';
import { allPointsBad, classifyWriteError, probeModeFor } from '../../../src/outputs/influx/failures.js';

/** What a write that InfluxDB answered with an error status rejects with (client.ts). */
function requestError(status: number, body: string): Error {
  return new InfluxHttpError(status, body);
}

/** The shape of node-influx's RequestError (set-up queries): "A <status> <text> error occurred: <body>". */
function nodeInfluxError(status: number, body: string): Error {
  const err = new Error(`A ${status} Bad Request error occurred: ${body}`) as Error & { res: { statusCode: number } };
  err.res = { statusCode: status };
  return err;
}

describe('classifyWriteError', () => {
  it.each([
    [
      'a field type conflict is bad points, with the dropped count',
      requestError(
        400,
        '{"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"sample\\" is type float, already exists as type string dropped=3"}',
      ),
      { kind: 'bad-points', status: 400, dropped: 3, unparsable: 0 },
    ],
    [
      'unparsable lines are bad points, counted',
      requestError(400, '{"error":"partial write: unable to parse \'a b\': x\\nunable to parse \'c d\': y dropped=0"}'),
      { kind: 'bad-points', dropped: 0, unparsable: 2 },
    ],
    [
      '413 is too large (split, nothing dropped)',
      requestError(413, '{"error":"Request Entity Too Large"}'),
      { kind: 'too-large' },
    ],
    [
      '401 is auth',
      requestError(401, '{"error":"authorization failed"}'),
      { kind: 'auth', detail: 'authorization failed' },
    ],
    ['403 is auth', requestError(403, '{"error":"user not authorized to write"}'), { kind: 'auth' }],
    ['404 database not found', requestError(404, '{"error":"database not found: \\"x\\""}'), { kind: 'no-database' }],
    [
      'a 404 from something else is unexpected, kept and retried',
      requestError(404, 'Not Found'),
      { kind: 'unexpected' },
    ],
    [
      'a refused connection is retried',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' }),
      { kind: 'retry' },
    ],
    [
      "node-influx's No host available is retried",
      Object.assign(new Error('No host available'), { name: 'ServiceNotAvailableError' }),
      { kind: 'retry', detail: 'No host available' },
    ],
    [
      "node-influx's error for a set-up query: the status and InfluxDB's text",
      nodeInfluxError(403, '{"error":"user not authorized to execute statement"}'),
      { kind: 'auth', status: 403, detail: 'user not authorized to execute statement' },
    ],
  ])('%s', (_what, err, expected) => {
    expect(classifyWriteError(err)).toMatchObject(expected);
  });

  it.each([
    [
      'a refused connection: nothing answered, any /ping answer ends the backoff',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' }),
      'no-answer',
      'answer',
    ],
    [
      'a reset connection (influxd going down mid-request)',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'no-answer',
      'answer',
    ],
    [
      'an unreachable host',
      Object.assign(new Error('connect EHOSTUNREACH 10.0.0.9:8086'), { code: 'EHOSTUNREACH' }),
      'no-answer',
      'answer',
    ],
    [
      'a name that does not resolve',
      Object.assign(new Error('getaddrinfo ENOTFOUND influx.plant.local'), { code: 'ENOTFOUND' }),
      'no-answer',
      'answer',
    ],
    ["node-influx's No host available", new ServiceNotAvailableError('No host available'), 'no-answer', 'answer'],
    [
      "node-influx's request timeout: /ping must fail before an answer counts",
      new ServiceNotAvailableError('Request timed out'),
      'timeout',
      'recovery',
    ],
    [
      'a connect timeout',
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.9:8086'), { code: 'ETIMEDOUT' }),
      'timeout',
      'recovery',
    ],
    [
      'a 5xx (node-influx passes only the status text)',
      new ServiceNotAvailableError('Internal Server Error'),
      'server-error',
      'recovery',
    ],
    ['a 502 from a proxy', new ServiceNotAvailableError('Bad Gateway'), 'server-error', 'recovery'],
    ['a 503 answering a write', requestError(503, '<html>Service Unavailable</html>'), 'server-error', 'recovery'],
    [
      "the writer's own request timeout (InfluxDB accepted the connection and never answered)",
      Object.assign(new Error('no answer in 10000 ms'), { code: 'ETIMEDOUT' }),
      'timeout',
      'recovery',
    ],
    [
      'a certificate the agent does not trust: no probing',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      undefined,
      undefined,
    ],
  ])('%s', (_what, err, transport, mode) => {
    const failure = classifyWriteError(err);
    expect(failure.kind).toBe('retry');
    expect(failure.transport).toBe(transport);
    expect(probeModeFor(failure)).toBe(mode);
  });

  it('does not probe after answers that /ping cannot vouch for (401/403, 404, anything unexpected)', () => {
    for (const [status, body] of [
      [401, '{"error":"authorization failed"}'],
      [403, '{"error":"forbidden"}'],
      [404, '{"error":"database not found: \\"x\\""}'],
      [404, 'Not Found'],
      [418, 'teapot'],
    ] as const) {
      expect(probeModeFor(classifyWriteError(requestError(status, body)))).toBeUndefined();
    }
  });

  it('knows when splitting cannot save any point', () => {
    const f = classifyWriteError(requestError(400, '{"error":"partial write: field type conflict: ... dropped=8"}'));
    expect(allPointsBad(f, 8)).toBe(true);
    expect(allPointsBad(f, 9)).toBe(false);
    expect(allPointsBad(classifyWriteError(requestError(400, '{"error":"bad"}')), 2)).toBe(false);
  });
});
