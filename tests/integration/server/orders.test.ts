/**
 * Orders over REST on the real core behind the real server: an operator starts an order (its
 * product becomes the line's), the snapshot shows its progress and forecast, it completes at its
 * quantity, and the order history and the audit trail keep it. Stop and resume; every refusal names
 * what is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { post, productPlant, type ProductPlant } from './support/product-plant.js';

const plants: ProductPlant[] = [];
afterEach(async () => {
  for (const p of plants.splice(0)) await p.close();
});

async function plant(): Promise<ProductPlant> {
  const p = await productPlant();
  plants.push(p);
  return p;
}

describe('orders over REST', () => {
  it('an operator starts an order; the line shows its progress and ETA; it completes at its quantity and stays in the history', async () => {
    const p = await plant();
    p.run(120, 12);
    const anna = await p.login('anna');
    const due = '2025-11-24T14:00:00+01:00';
    const res = await p.app.inject(
      post('/api/lines/line1/order', { id: '4711', product: 'bracket-b', quantity: 20, due, note: 'rush' }, anna),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      line: 'line1',
      order: { id: '4711', product: 'bracket-b', quantity: 20, good: 0, remaining: 20, status: 'running' },
      by: { user: 'anna', role: 'operator', via: 'login', note: 'rush' },
    });
    // The order's product is the line's now.
    expect(p.products.map((e) => [e.station, e.product])).toEqual([
      ['press', 'bracket-b'],
      ['weld', 'bracket-b'],
    ]);

    p.run(18 * 10, 18);
    let line = (await p.snapshot()).lines[0];
    expect(line?.order).toMatchObject({ id: '4711', good: 10, remaining: 10, status: 'running' });
    expect(line?.order?.due).toBe(Date.parse(due));
    // 10 parts at 18 s, at bracket-b's ideal: the ETA is 3 minutes on; the shift and the due time hold.
    const forecast = line?.order?.forecast;
    expect(forecast?.finishesThisShift).toBe(true);
    expect(forecast?.onTime).toBe(true);
    expect(forecast?.eta).toBeGreaterThan(Date.parse(due) - 6 * 3600_000);

    p.run(18 * 12, 18);
    line = (await p.snapshot()).lines[0];
    expect(line?.order).toBeUndefined();
    const history = await p.app.inject('/api/orders?line=line1');
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json().orders).toMatchObject([
      { line: 'line1', id: '4711', product: 'bracket-b', quantity: 20, good: 20, reject: 0, status: 'completed' },
    ]);
    const audit = (await p.app.inject('/api/audit')).json() as { actions: Array<Record<string, unknown>> };
    expect(audit.actions).toContainEqual(
      expect.objectContaining({ action: 'start-order', line: 'line1', target: '4711', user: 'anna', note: 'rush' }),
    );
  });

  it('stops and resumes an order with its counts; one order at a time per line', async () => {
    const p = await plant();
    p.run(24, 12);
    const anna = await p.login('anna');
    await p.app.inject(post('/api/lines/line1/order', { id: 'PO-1', product: 'bracket-a', quantity: 100 }, anna));
    p.run(60, 12);
    const stop = await p.app.inject(post('/api/lines/line1/order/stop', { note: 'material' }, anna));
    expect(stop.statusCode, stop.body).toBe(200);
    expect(stop.json()).toMatchObject({ order: { id: 'PO-1', good: 5, status: 'stopped' } });
    const again = await p.app.inject(post('/api/lines/line1/order/stop', {}, anna));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'NO_ORDER', message: 'no order is running on line "line1"' } });

    const resume = await p.app.inject(post('/api/lines/line1/order', { id: 'PO-1' }, anna));
    expect(resume.json()).toMatchObject({ order: { id: 'PO-1', good: 5, status: 'running' } });
    const second = await p.app.inject(post('/api/lines/line1/order', { id: 'PO-2', quantity: 5 }, anna));
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'ORDER_RUNNING' } });
    expect((second.json() as { error: { message: string } }).error.message).toContain('"PO-1" is running');
  });

  it('refuses a malformed order, an unknown product or line, and a role without the right', async () => {
    const p = await plant();
    p.run(5, 12);
    const anna = await p.login('anna');
    const cases: Array<[unknown, number, string]> = [
      [{ id: 'x', quantity: 0 }, 400, 'BAD_REQUEST'],
      [{ id: 'a/b', quantity: 5 }, 400, 'BAD_REQUEST'],
      [{ id: 'x', quantity: 5, due: 'tomorrow' }, 400, 'BAD_REQUEST'],
      [{ id: 'x', quantity: 5, extra: 1 }, 400, 'BAD_REQUEST'],
      [{ id: 'x' }, 400, 'INVALID_ORDER'],
      [{ id: 'x', quantity: 5, product: 'bracket-z' }, 400, 'UNKNOWN_PRODUCT'],
    ];
    for (const [body, status, code] of cases) {
      const res = await p.app.inject(post('/api/lines/line1/order', body, anna));
      expect([res.statusCode, (res.json() as { error: { code: string } }).error.code], JSON.stringify(body)).toEqual([
        status,
        code,
      ]);
    }
    const bad = await p.app.inject(post('/api/lines/line1/order', { id: 'x', quantity: 0 }, anna));
    expect((bad.json() as { error: { message: string } }).error.message).toContain('quantity');
    const line = await p.app.inject(post('/api/lines/line9/order', { id: 'x', quantity: 5 }, anna));
    expect(line.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no line "line9"' } });
    const max = await p.login('max');
    const refused = await p.app.inject(post('/api/lines/line1/order', { id: 'x', quantity: 5 }, max));
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { error: { message: string } }).error.message).toContain('starting or stopping an order');
    const history = await p.app.inject('/api/orders?line=line9');
    expect(history.statusCode).toBe(404);
    expect((await p.snapshot()).lines[0]?.order).toBeUndefined();
  });
});
