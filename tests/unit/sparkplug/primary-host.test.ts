/** The primary host's STATE as the edge node reads it: JSON, online/offline, older ones ignored. */
import { describe, expect, it } from 'vitest';
import { PrimaryHostWatch } from '../../../src/outputs/sparkplug/primary-host.js';

const state = (online: unknown, timestamp: unknown) => Buffer.from(JSON.stringify({ online, timestamp }));

describe('PrimaryHostWatch', () => {
  it('watches spBv1.0/STATE/<host id>', () => {
    expect(new PrimaryHostWatch('IamHost').topic).toBe('spBv1.0/STATE/IamHost');
  });

  it('tck-id-host-topic-phid-birth-payload-timestamp: takes online and offline in timestamp order, ignores older ones', () => {
    const w = new PrimaryHostWatch('scada');
    expect(w.judge(state(true, 1_000)).kind).toBe('online');
    expect(w.judge(state(false, 900)).kind).toBe('ignore'); // a stale offline never ends a session
    expect(w.judge(state(false, 1_000)).kind).toBe('offline');
    expect(w.judge(state(true, 999)).kind).toBe('ignore');
    expect(w.judge(state(true, 2_000)).kind).toBe('online');
  });

  it('ignores what is not a 3.0 STATE, saying why', () => {
    const w = new PrimaryHostWatch('scada');
    expect(w.judge(Buffer.from('ONLINE'))).toEqual({ kind: 'ignore', why: 'not JSON' }); // a 2.2 host
    expect(w.judge(Buffer.from('null'))).toMatchObject({ kind: 'ignore' });
    expect(w.judge(state('yes', 5))).toMatchObject({ kind: 'ignore' });
    expect(w.judge(state(true, '5'))).toMatchObject({ kind: 'ignore' });
  });
});
