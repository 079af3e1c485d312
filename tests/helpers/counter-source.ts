/**
 * A whole agent driven by a test: a plant clock the test moves, and a PLC counter source (tags
 * plc1.partCount, plc1.running, plc1.fault) whose every `part()` is one more part, 12 s later.
 */
import type { Clock, SampleSink } from '../../src/core/sample.js';
import type { Source } from '../../src/sources/source.js';

/** Plant time that the test moves: the core, the spool and the source all read it. */
export class TestClock implements Clock {
  mono = 1_000;
  constructor(private readonly t0: number) {}
  wallMs(): number {
    return this.t0 + this.mono;
  }
  monoMs(): number {
    return this.mono;
  }
}

/** A PLC counter the test turns: each `part()` is one more part, 12 s of plant time later. */
export class CounterSource implements Source {
  readonly name = 'test-counter';
  private sink: SampleSink | undefined;
  private count = 0;
  constructor(private readonly clock: TestClock) {}
  async start(sink: SampleSink): Promise<void> {
    this.sink = sink;
    this.emit();
  }
  async stop(): Promise<void> {
    this.sink = undefined;
  }
  health() {
    return [{ device: 'plc1', endpoint: 'test', connected: true, requests: this.count, errors: 0, overruns: 0 }];
  }
  part(): void {
    this.clock.mono += 12_000;
    this.count++;
    this.emit();
  }
  private emit(): void {
    const at = { ts: this.clock.wallMs(), mono: this.clock.monoMs() };
    this.sink?.comms({ device: 'plc1', ok: true, ...at });
    this.sink?.sample({ tag: 'plc1.partCount', value: this.count, ...at });
    this.sink?.sample({ tag: 'plc1.running', value: true, ...at });
    this.sink?.sample({ tag: 'plc1.fault', value: 0, ...at });
  }
}
