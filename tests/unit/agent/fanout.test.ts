import { describe, expect, it } from 'vitest';
import { FanOut } from '../../../src/agent/fanout.js';
import { silentLogger } from '../../../src/lib/logger.js';

describe('FanOut', () => {
  it('delivers an effect emitted from inside a listener only after every consumer has its cause', () => {
    const fan = new FanOut<string>(silentLogger);
    const seen: Record<string, string[]> = { spool: [], predictor: [], history: [], dashboard: [] };
    fan.add('spool', (v) => seen.spool?.push(v));
    // As the agent wires it: the predictor raises an alert for the event it is handed.
    fan.add('predictor', (v) => {
      seen.predictor?.push(v);
      if (v.startsWith('state')) fan.emit(`alert for ${v}`);
    });
    fan.add('history', (v) => seen.history?.push(v));
    fan.add('dashboard', (v) => seen.dashboard?.push(v));
    fan.emit('state down');
    fan.emit('cycle 1');
    const order = ['state down', 'alert for state down', 'cycle 1'];
    for (const consumer of Object.keys(seen)) expect(seen[consumer], consumer).toEqual(order);
  });

  it('keeps delivering to the others when one consumer throws, and after', () => {
    const fan = new FanOut<number>(silentLogger);
    const got: number[] = [];
    fan.add('broken', () => {
      throw new Error('disk full');
    });
    fan.add('ok', (v) => got.push(v));
    fan.emit(1);
    fan.emit(2);
    expect(got).toEqual([1, 2]);
  });

  it('is ready for the next emit after a consumer threw during a nested delivery', () => {
    const fan = new FanOut<string>(silentLogger);
    const got: string[] = [];
    fan.add('a', (v) => {
      if (v === 'first') {
        fan.emit('nested');
        throw new Error('boom');
      }
    });
    fan.add('b', (v) => got.push(v));
    fan.emit('first');
    fan.emit('second');
    expect(got).toEqual(['first', 'nested', 'second']);
  });
});
