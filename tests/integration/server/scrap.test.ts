/**
 * Scrap over REST on the real core behind the real server: an operator scraps parts a station
 * counted good (found bad at inspection); the shift's quality and the running order follow, the
 * audit trail keeps who did it; every refusal names what is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { post, productPlant, type ProductPlant } from './support/product-plant.js';

const plants: ProductPlant[] = [];
afterEach(async () => {
  for (const p of plants.splice(0)) await p.close();
});

describe('scrap over REST', () => {
  it('an operator scraps parts counted good: quality, the order and the audit trail follow', async () => {
    const p = await productPlant();
    plants.push(p);
    const anna = await p.login('anna');
    await p.app.inject(post('/api/lines/line1/order', { id: 'PO-7', product: 'bracket-a', quantity: 50 }, anna));
    p.run(120, 12); // 10 parts at each station
    const res = await p.app.inject(
      post('/api/stations/weld/scrap', { reason: 'dimension', count: 4, note: 'gauge check' }, anna),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      station: 'weld',
      reason: 'dimension',
      count: 4,
      by: { user: 'anna', role: 'operator', via: 'login', note: 'gauge check' },
    });
    const view = await p.snapshot();
    const weld = view.stations.find((s) => s.id === 'weld');
    expect(weld?.oee?.figures.counts).toEqual({ total: 10, good: 6, reject: 4 });
    expect(weld?.oee?.figures.rejects).toEqual({ startup: 0, production: 4, byReason: { dimension: 4 } });
    expect(view.lines[0]?.order).toMatchObject({ id: 'PO-7', good: 6, reject: 4, remaining: 44 });
    const audit = (await p.app.inject('/api/audit')).json() as { actions: Array<Record<string, unknown>> };
    expect(audit.actions).toContainEqual(
      expect.objectContaining({
        action: 'record-scrap',
        station: 'weld',
        target: '4',
        reason: 'dimension',
        user: 'anna',
      }),
    );
  });

  it('refuses an unknown reason or station, more than were made, a bad count and a role without the right', async () => {
    const p = await productPlant();
    plants.push(p);
    p.run(36, 12);
    const anna = await p.login('anna');
    const cases: Array<[string, unknown, number, string]> = [
      ['/api/stations/weld/scrap', { reason: 'paint', count: 1 }, 400, 'UNKNOWN_SCRAP_REASON'],
      ['/api/stations/oven/scrap', { reason: 'dimension', count: 1 }, 404, 'NOT_FOUND'],
      ['/api/stations/weld/scrap', { reason: 'dimension', count: 4 }, 409, 'NOT_ENOUGH_GOOD'],
      ['/api/stations/weld/scrap', { reason: 'dimension', count: 0 }, 400, 'BAD_REQUEST'],
      ['/api/stations/weld/scrap', { reason: 'dimension', count: 1.5 }, 400, 'BAD_REQUEST'],
    ];
    for (const [url, body, status, code] of cases) {
      const res = await p.app.inject(post(url, body, anna));
      expect([res.statusCode, (res.json() as { error: { code: string } }).error.code], JSON.stringify(body)).toEqual([
        status,
        code,
      ]);
    }
    const short = await p.app.inject(post('/api/stations/weld/scrap', { reason: 'dimension', count: 4 }, anna));
    expect((short.json() as { error: { message: string } }).error.message).toBe(
      'station "weld" counted 3 good part(s) this shift; 4 cannot be scrapped',
    );
    const max = await p.login('max');
    const refused = await p.app.inject(post('/api/stations/weld/scrap', { reason: 'dimension', count: 1 }, max));
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { error: { message: string } }).error.message).toContain('recording scrap');
    expect((await p.snapshot()).stations.find((s) => s.id === 'weld')?.oee?.figures.counts.good).toBe(3);
  });
});
