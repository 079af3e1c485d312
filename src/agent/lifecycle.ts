import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';

import type { Component } from '../lib/component.js';

export type { Component } from '../lib/component.js';

export interface ComponentStatus {
  readonly name: string;
  readonly role: Component['role'];
  readonly state: 'stopped' | 'running' | 'failed';
  readonly error?: string;
}

const START_ORDER: readonly Component['role'][] = ['infra', 'output', 'core', 'server', 'source'];

/**
 * Starts infrastructure (the embedded broker), outputs, the core, the server, then sources (so
 * nothing read is dropped for want of a consumer), and stops in the reverse order (sources first,
 * so outputs can flush what was already read; the broker last, after "offline" went out). One component failing to start is reported and the others keep running:
 * a dead InfluxDB must not stop the line's MQTT feed.
 */
export class Lifecycle {
  private readonly components: Component[] = [];
  private readonly status = new Map<string, ComponentStatus>();

  constructor(private readonly logger: Logger) {}

  add(component: Component): void {
    this.components.push(component);
    this.status.set(component.name, { name: component.name, role: component.role, state: 'stopped' });
  }

  async start(): Promise<readonly ComponentStatus[]> {
    for (const role of START_ORDER) {
      for (const c of this.components.filter((x) => x.role === role)) {
        try {
          await c.start();
          this.status.set(c.name, { name: c.name, role: c.role, state: 'running' });
          this.logger.info({ component: c.name }, 'started');
        } catch (err) {
          const error = errorMessage(err);
          const code = (err as { code?: string }).code;
          this.status.set(c.name, {
            name: c.name,
            role: c.role,
            state: 'failed',
            error: code ? `${code} ${error}` : error,
          });
          this.logger.error(
            { component: c.name, err: { code, message: error } },
            'failed to start; the other components keep running',
          );
        }
      }
    }
    return this.statuses();
  }

  /** Stops everything within `timeoutMs`; components still stopping then are abandoned (logged). */
  async stop(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const role of [...START_ORDER].reverse()) {
      const group = this.components.filter((x) => x.role === role && this.status.get(x.name)?.state === 'running');
      await Promise.all(
        group.map(async (c) => {
          const left = Math.max(0, deadline - Date.now());
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), left);
          });
          try {
            const result = await Promise.race([c.stop().then(() => 'ok' as const), timedOut]);
            if (result === 'timeout') this.logger.warn({ component: c.name }, 'did not stop in time; abandoned');
            else this.logger.info({ component: c.name }, 'stopped');
          } catch (err) {
            this.logger.warn({ component: c.name, err: errorMessage(err) }, 'error while stopping');
          } finally {
            clearTimeout(timer);
            this.status.set(c.name, { name: c.name, role: c.role, state: 'stopped' });
          }
        }),
      );
    }
  }

  statuses(): readonly ComponentStatus[] {
    return [...this.status.values()];
  }
}
