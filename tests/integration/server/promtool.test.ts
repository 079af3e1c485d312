/**
 * `promtool check metrics` (Debian package prometheus) on the demo's real /metrics: the agent
 * polling the simulator's virtual PLCs over Modbus TCP, so the per-device families and both
 * summaries have samples. Plus the stricter block check promtool does not make (see
 * tests/helpers/prom-format.ts). A missing promtool fails the test: it is never skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, spawnCli, waitForOutput } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import { expositionProblems, promtoolCheck } from '../../helpers/prom-format.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineside-promtool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** True once both PLCs have answered requests and the event loop has been measured. */
function polled(text: string): boolean {
  const count = (device: string) =>
    Number(
      new RegExp(`^lineside_modbus_latency_seconds_count\\{device="${device}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return count('plc1') > 0 && count('plc2') > 0 && /^lineside_event_loop_lag_seconds\{quantile="0.99"\} /m.test(text);
}

describe('/metrics of the demo', () => {
  it('passes promtool check metrics after real polling of the simulator', async () => {
    // Before starting anything: a missing promtool is a failure with an install hint.
    expect(promtoolCheck('').status).toBe(0);
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawnCli(
      ['demo', '--speed', '60', '--http-port', String(httpPort), '--mqtt-port', String(mqttPort)],
      {
        env: { LINESIDE_DEMO_DATA: join(tmp, 'demo') },
      },
    );
    let text = '';
    try {
      await waitForOutput(child, /Lineside demo is running/, 60_000);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
        expect(res.status).toBe(200);
        text = await res.text();
        if (polled(text)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      child.kill('SIGINT');
    }
    expect(await exitOf(child)).toBe(0);

    expect(polled(text), text).toBe(true);
    for (const family of [
      'lineside_modbus_requests_total',
      'lineside_spool_depth',
      'lineside_output_sent_total',
      'lineside_history_events_total',
    ]) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    expect(text).toContain('# TYPE lineside_modbus_latency_seconds summary');
    expect(text).toContain('# TYPE lineside_event_loop_lag_seconds summary');

    const result = promtoolCheck(text);
    expect(result.output, text).toBe('');
    expect(result.status).toBe(0);
    expect(expositionProblems(text)).toEqual([]);
  }, 120_000);
});
