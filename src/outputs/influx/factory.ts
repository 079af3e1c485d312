/** The InfluxDB output for the agent's registry. */
import type { OutputFactory } from '../output.js';
import { createInfluxWriter, DESTINATION } from './writer.js';

export const influxOutput: OutputFactory = {
  name: DESTINATION,
  spooled: true,
  enabled: (config) => config.influx.enabled,
  readsSamples: (config) => config.influx.writeSamples,
  create({ config, spool, clock, logger }) {
    const writer = createInfluxWriter({ config, spool, clock, logger });
    return {
      output: writer,
      components: [{ name: DESTINATION, role: 'output', start: () => writer.start(), stop: () => writer.stop() }],
    };
  },
};
