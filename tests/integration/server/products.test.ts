/**
 * Products on the dashboard, on the real core: the page lists the config's products, the tiles and
 * the line header show what runs, an operator sets another product over REST (a maintenance login
 * may not), and the core counts the next parts at that product's ideal cycle time.
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

describe('products on the dashboard and over REST', () => {
  it('an operator sets the product a line runs; its parts count at that product’s ideal', async () => {
    const p = await plant();
    p.run(120, 12);
    let view = await p.snapshot();
    expect(view.products).toEqual([
      { id: 'bracket-a', name: 'Bracket A' },
      { id: 'bracket-b', name: 'Bracket B' },
    ]);
    expect(view.stations[0]?.product).toBeUndefined();

    const anna = await p.login('anna');
    const res = await p.app.inject(
      post('/api/lines/line1/product', { product: 'bracket-b', note: 'order 4711' }, anna),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      line: 'line1',
      product: 'bracket-b',
      changed: ['press', 'weld'],
      by: { user: 'anna', role: 'operator', via: 'login', note: 'order 4711' },
    });
    expect(p.products.map((e) => [e.station, e.product, e.source, e.by?.user])).toEqual([
      ['press', 'bracket-b', 'operator', 'anna'],
      ['weld', 'bracket-b', 'operator', 'anna'],
    ]);

    // Parts at b's 18 s from now: performance over the shift stays 100 %.
    p.run(180, 18);
    view = await p.snapshot();
    const press = view.stations.find((s) => s.id === 'press');
    expect(press?.product).toEqual({ id: 'bracket-b', name: 'Bracket B' });
    expect(press?.idealCycleTimeMs).toBe(18_000);
    expect(view.lines[0]?.product).toEqual({ id: 'bracket-b', name: 'Bracket B' });
    expect(press?.oee?.figures.performance).toBeCloseTo(1, 2);

    // Back to a with no part for a minute: a changeover to a (target 15 min) on both tiles.
    await p.app.inject(post('/api/lines/line1/product', { product: 'bracket-a' }, anna));
    p.run(60, 1_000_000);
    view = await p.snapshot();
    expect(view.stations.find((s) => s.id === 'press')?.changeover).toMatchObject({
      from: { id: 'bracket-b', name: 'Bracket B' },
      to: { id: 'bracket-a', name: 'Bracket A' },
      targetMs: 15 * 60_000,
    });
    expect(view.stations.find((s) => s.id === 'press')).toMatchObject({
      state: 'down',
      reason: 'changeover',
      reasonLabel: 'Product changeover', // the config's label for the reason id
    });
    p.run(12, 12);
    expect((await p.snapshot()).stations.find((s) => s.id === 'press')?.changeover).toBeUndefined();

    // One station only, then none.
    const one = await p.app.inject(post('/api/lines/line1/product', { product: 'bracket-b', station: 'weld' }, anna));
    expect(one.json()).toMatchObject({ changed: ['weld'] });
    const none = await p.app.inject(post('/api/lines/line1/product', { product: null }, anna));
    expect(none.json()).toMatchObject({ changed: ['press', 'weld'] });
    expect((await p.snapshot()).stations.every((s) => s.product === undefined)).toBe(true);
  });

  it('refuses an unknown product, line or station, a malformed body and a role without the right', async () => {
    const p = await plant();
    p.run(5, 12);
    const anna = await p.login('anna');
    const unknown = await p.app.inject(post('/api/lines/line1/product', { product: 'bracket-z' }, anna));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({
      error: { code: 'UNKNOWN_PRODUCT', message: 'no product "bracket-z" in the config\'s products' },
    });
    const line = await p.app.inject(post('/api/lines/line9/product', { product: 'bracket-a' }, anna));
    expect(line.statusCode).toBe(404);
    const station = await p.app.inject(
      post('/api/lines/line1/product', { product: 'bracket-a', station: 'pack' }, anna),
    );
    expect(station.json()).toMatchObject({
      error: { code: 'NOT_FOUND', message: 'no station "pack" in line "line1"' },
    });
    const bad = await p.app.inject(post('/api/lines/line1/product', { product: 7 }, anna));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const max = await p.login('max');
    const refused = await p.app.inject(post('/api/lines/line1/product', { product: 'bracket-a' }, max));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((refused.json() as { error: { message: string } }).error.message).toContain('setting the product');
    const anonymous = await p.app.inject(post('/api/lines/line1/product', { product: 'bracket-a' }));
    expect(anonymous.statusCode).toBe(401);
    expect(p.products).toEqual([]);
  });
});
