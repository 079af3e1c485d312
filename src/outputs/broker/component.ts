/**
 * The embedded broker (`mqtt.url: embedded`) as a component of its own: started before the MQTT
 * publisher and stopped after it, so the publisher's "offline" status still reaches it.
 */
import type { LinesideConfig } from '../../config/schema.js';
import type { Component } from '../../lib/component.js';
import type { Logger } from '../../lib/logger.js';
import type { EmbeddedBroker } from './embedded-broker.js';

export class EmbeddedBrokerComponent implements Component {
  readonly name = 'embedded-broker';
  readonly role = 'infra';
  private broker: EmbeddedBroker | undefined;

  constructor(
    private readonly mqtt: Readonly<LinesideConfig['mqtt']>,
    private readonly logger: Logger,
  ) {}

  /** The running broker, or undefined before start or when it could not start. */
  get running(): EmbeddedBroker | undefined {
    return this.broker;
  }

  async start(): Promise<void> {
    const { mqtt } = this;
    // Loaded only when the config asks for it: aedes and its dependencies cost ~4 MB of RSS.
    const { startEmbeddedBroker } = await import('./embedded-broker.js');
    this.broker = await startEmbeddedBroker({
      host: mqtt.embedded.host,
      port: mqtt.embedded.port,
      logger: this.logger,
      ...(mqtt.username !== undefined && mqtt.password !== undefined
        ? { credentials: { username: mqtt.username, password: mqtt.password } }
        : {}),
    });
  }

  async stop(): Promise<void> {
    const broker = this.broker;
    this.broker = undefined;
    await broker?.stop();
  }
}
