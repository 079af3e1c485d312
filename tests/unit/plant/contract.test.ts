/**
 * The plant server reads what docs/mqtt.md promises: the ledger example of its `### ledger`
 * section passes the plant's validation (its stations, abbreviated there with "...", are given the
 * line's fields), and the state and oee examples do too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ledger, LineOee, parseJson, StationState } from '../../../src/plant/messages.js';

const DOCS = readFileSync(new URL('../../../docs/mqtt.md', import.meta.url), 'utf8');

function firstJsonBlock(section: string): string {
  const start = DOCS.indexOf(`\n### ${section}`);
  const block = /```json\n([\s\S]*?)```/.exec(DOCS.slice(start));
  if (start < 0 || block === null) throw new Error(`no json example under ### ${section}`);
  return block[1] as string;
}

describe('docs/mqtt.md examples are what the plant server accepts', () => {
  it('ledger', () => {
    const example = JSON.parse(firstJsonBlock('ledger')) as {
      line: Record<string, unknown>;
      stations: Array<Record<string, unknown>>;
    };
    const stations = example.stations.map((s) => {
      const { ['...']: _ellipsis, ...rest } = s;
      return { ...example.line, ...rest };
    });
    const parsed = parseJson(Ledger, JSON.stringify({ ...example, stations }));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value).toMatchObject({ seq: 120, agentId: 'line1-pi', final: false, outputStation: 'pack' });
    expect(parsed.value.line.downByReason).toEqual({ wire_feed: 900000, unassigned: 300000 });
    expect(parsed.value.stations[2]?.waits?.[0]).toMatchObject({ kind: 'starved', cause: 'weld' });
  });

  it('state and oee', () => {
    const state = parseJson(StationState, firstJsonBlock('state'));
    expect(state.ok).toBe(true);
    const oeeText = firstJsonBlock('oee');
    const oee = parseJson(LineOee, oeeText);
    if (!oee.ok) throw new Error(oee.reason);
    expect(oee.value.counts.good).toBe(294);
  });
});
