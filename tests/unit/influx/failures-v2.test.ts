/**
 * InfluxDB 2.x and 3.x error bodies classified like 1.x's: which drop points (400/422, only the
 * bad ones), which are auth (401/403), which say the bucket is missing (404). The texts are the
 * servers' own formats: 2.x `{"code","message"}`, 3.x `{"error","data":[...]}`.
 */
import { describe, expect, it } from 'vitest';
import { InfluxHttpError } from '../../../src/outputs/influx/client.js';
import { allPointsBad, classifyWriteError, probeModeFor } from '../../../src/outputs/influx/failures.js';

const http = (status: number, body: unknown) =>
  new InfluxHttpError(status, typeof body === 'string' ? body : JSON.stringify(body));

describe('classifyWriteError on InfluxDB 2.x / 3.x answers', () => {
  it.each([
    [
      '2.x 401 unauthorized is auth, with its message',
      http(401, { code: 'unauthorized', message: 'unauthorized access' }),
      { kind: 'auth', status: 401, detail: 'unauthorized access' },
    ],
    [
      '2.x 403 (a read-only token) is auth',
      http(403, { code: 'forbidden', message: 'insufficient permissions for write' }),
      { kind: 'auth', status: 403 },
    ],
    [
      '2.x 404 for an unknown bucket is a missing database',
      http(404, { code: 'not found', message: 'bucket "x" not found' }),
      { kind: 'no-database', detail: 'bucket "x" not found' },
    ],
    [
      '2.x 400 unparsable line is bad points, counted',
      http(400, { code: 'invalid', message: "unable to parse 'cycle seq=': missing field value" }),
      { kind: 'bad-points', status: 400, unparsable: 1 },
    ],
    [
      '2.x 422 field type conflict is bad points, with the dropped count',
      http(422, {
        code: 'unprocessable entity',
        message:
          'failure writing points to database: partial write: field type conflict: input field "value" on measurement "sample" is type string, already exists as type float dropped=2',
      }),
      { kind: 'bad-points', status: 422, dropped: 2, unparsable: 0 },
    ],
    [
      '3.x partial write lists the refused lines',
      http(400, {
        error: 'partial write of line protocol occurred',
        data: [
          { original_line: 'cycle x=1', line_number: 1, error_message: 'invalid column type' },
          { original_line: 'cycle x=2', line_number: 2, error_message: 'invalid column type' },
        ],
      }),
      {
        kind: 'bad-points',
        dropped: 2,
        detail: 'partial write of line protocol occurred: invalid column type (2 lines refused)',
      },
    ],
    ['2.x 503 is retried (server error)', http(503, { code: 'unavailable', message: 'busy' }), { kind: 'retry' }],
  ])('%s', (_name, err, expected) => {
    expect(classifyWriteError(err)).toMatchObject(expected);
  });

  it('3.x: a partial write that refused every line of the request poisons them at once', () => {
    const failure = classifyWriteError(
      http(400, { error: 'partial write of line protocol occurred', data: [{ error_message: 'bad' }] }),
    );
    expect(allPointsBad(failure, 1)).toBe(true);
    expect(allPointsBad(failure, 2)).toBe(false);
  });

  it('never probes /ping after 401 or a missing bucket: only a person can fix those', () => {
    expect(probeModeFor(classifyWriteError(http(401, { code: 'unauthorized', message: 'x' })))).toBeUndefined();
    expect(probeModeFor(classifyWriteError(http(404, { code: 'not found', message: 'bucket "b" not found' })))).toBe(
      undefined,
    );
  });
});
