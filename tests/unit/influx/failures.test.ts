/** Which InfluxDB answers drop data (only 400, only the bad points) and which are retried. */
import { describe, expect, it } from 'vitest';
import { allPointsBad, classifyWriteError, PointRejectedError } from '../../../src/outputs/influx/failures.js';

/** The shape of node-influx's RequestError: the response and "A <status> <text> error occurred: <body>". */
function requestError(status: number, body: string): Error {
  const err = new Error(`A ${status} Bad Request error occurred: ${body}`) as Error & { res: { statusCode: number } };
  err.res = { statusCode: status };
  return err;
}

describe('classifyWriteError', () => {
  it.each([
    ['a field type conflict is bad points, with the dropped count', requestError(400, '{"error":"partial write: field type conflict: input field \\"value\\" on measurement \\"sample\\" is type float, already exists as type string dropped=3"}'), { kind: 'bad-points', status: 400, dropped: 3, unparsable: 0 }],
    ['unparsable lines are bad points, counted', requestError(400, '{"error":"partial write: unable to parse \'a b\': x\\nunable to parse \'c d\': y dropped=0"}'), { kind: 'bad-points', dropped: 0, unparsable: 2 }],
    ['413 is too large (split, nothing dropped)', requestError(413, '{"error":"Request Entity Too Large"}'), { kind: 'too-large' }],
    ['401 is auth', requestError(401, '{"error":"authorization failed"}'), { kind: 'auth', detail: 'authorization failed' }],
    ['403 is auth', requestError(403, '{"error":"user not authorized to write"}'), { kind: 'auth' }],
    ['404 database not found', requestError(404, '{"error":"database not found: \\"x\\""}'), { kind: 'no-database' }],
    ['a 404 from something else is unexpected, kept and retried', requestError(404, 'Not Found'), { kind: 'unexpected' }],
    ['a refused connection is retried', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' }), { kind: 'retry' }],
    ["node-influx's No host available is retried", Object.assign(new Error('No host available'), { name: 'ServiceNotAvailableError' }), { kind: 'retry', detail: 'No host available' }],
    ['a schema check refusal is a bad point', new PointRejectedError('Expected numeric value for db.m.f'), { kind: 'bad-points' }],
  ])('%s', (_what, err, expected) => {
    expect(classifyWriteError(err)).toMatchObject(expected);
  });

  it('knows when splitting cannot save any point', () => {
    const f = classifyWriteError(requestError(400, '{"error":"partial write: field type conflict: ... dropped=8"}'));
    expect(allPointsBad(f, 8)).toBe(true);
    expect(allPointsBad(f, 9)).toBe(false);
    expect(allPointsBad(classifyWriteError(requestError(400, '{"error":"bad"}')), 2)).toBe(false);
  });
});
