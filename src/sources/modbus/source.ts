/**
 * The Modbus source: every configured device polled on its own schedule, one transport per TCP
 * endpoint (host:port and framing) and one per serial path shared by all unit ids on that bus.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Clock, SampleSink } from '../../core/sample.js';
import { LinesideError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Source } from '../source.js';
import { DEFAULT_BACKOFF_INITIAL_MS } from '../../lib/backoff.js';
import { endpointKey, endpointOfDevice } from './endpoint.js';
import type { ModbusDeviceHealth } from './health.js';
import { planReads } from './planner.js';
import { DevicePoller, type PollerOptions } from './poller.js';
import { ModbusTransport } from './transport.js';

export interface ModbusSourceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Jitter source for backoff (tests may fix it). */
  readonly random?: () => number;
  readonly configErrorRetryMs?: number;
  /** Monotonic time the transports' reconnect backoff runs on (tests step it); default performance.now(). */
  readonly reconnectClock?: () => number;
}

export interface ModbusSource extends Source {
  health(): readonly ModbusDeviceHealth[];
}

/** Lower bound of a TCP connect / serial open timeout: a PLC on a LAN answers a SYN in ms. */
const MIN_CONNECT_TIMEOUT_MS = 1_000;

export function createModbusSource(config: Pick<LinesideConfig, 'devices'>, deps: ModbusSourceDeps): ModbusSource {
  const logger = deps.logger.child({ component: 'modbus' });
  const transports = new Map<string, ModbusTransport>();
  const pollers: DevicePoller[] = [];
  let started = false;

  function build(): void {
    const unreadable: string[] = [];
    const byKey = new Map<string, LinesideConfig['devices'][number][]>();
    for (const device of config.devices) {
      const key = endpointKey(endpointOfDevice(device));
      byKey.set(key, [...(byKey.get(key) ?? []), device]);
    }
    for (const [key, devices] of byKey) {
      const first = devices[0] as LinesideConfig['devices'][number];
      const transport = new ModbusTransport(endpointOfDevice(first), {
        // Devices sharing a connection share its reconnect policy: the most impatient wins.
        backoff: { initialMs: DEFAULT_BACKOFF_INITIAL_MS, maxMs: Math.min(...devices.map((d) => d.backoffMax)) },
        connectTimeoutMs: Math.max(MIN_CONNECT_TIMEOUT_MS, ...devices.map((d) => d.timeout)),
        logger,
        ...(deps.random ? { random: deps.random } : {}),
        ...(deps.reconnectClock ? { now: deps.reconnectClock } : {}),
      });
      transports.set(key, transport);
      for (const device of devices) {
        const plan = planReads(device);
        for (const bad of plan.invalid) unreadable.push(`${bad.tag}: ${bad.message}`);
        const options: PollerOptions = {
          clock: deps.clock,
          logger,
          ...(deps.random ? { random: deps.random } : {}),
          ...(deps.configErrorRetryMs !== undefined ? { configErrorRetryMs: deps.configErrorRetryMs } : {}),
        };
        pollers.push(new DevicePoller(device, plan, transport, options));
        logger.info(
          {
            device: device.id,
            endpoint: transport.url,
            unitId: device.unitId,
            tags: device.tags.length,
            requestsPerPoll: plan.reads.length,
          },
          'modbus: device planned',
        );
        if (device.timeout >= device.pollInterval) {
          logger.warn(
            { device: device.id, timeoutMs: device.timeout, pollIntervalMs: device.pollInterval },
            'modbus: timeout is not shorter than pollInterval; a request that times out skips the polls it overlaps (counted as overruns)',
          );
        }
      }
    }
    if (unreadable.length > 0) {
      throw new LinesideError('CONFIG_INVALID', `these Modbus tags can never be read: ${unreadable.join('; ')}`, {
        tags: unreadable,
      });
    }
  }

  return {
    name: 'modbus',
    async start(sink: SampleSink): Promise<void> {
      if (started) throw new LinesideError('INTERNAL', 'modbus source started twice');
      started = true;
      build();
      for (const poller of pollers) poller.start(sink);
    },
    async stop(): Promise<void> {
      for (const poller of pollers) poller.halt();
      await Promise.all([...transports.values()].map((t) => t.close()));
      await Promise.all(pollers.map((p) => p.settled()));
    },
    health(): readonly ModbusDeviceHealth[] {
      return pollers.map((p) => p.health());
    },
  };
}
