/** GPIO part sensors for the agent's registry: runs when the config has GPIO inputs. */
import type { SourceFactory } from '../source.js';
import { createGpioSource } from './source.js';

export const gpioSource: SourceFactory = {
  name: 'gpio',
  enabled: (config) => config.gpio.inputs.length > 0,
  create: ({ config, clock, logger, gpioSim }) =>
    createGpioSource(config, {
      clock,
      logger,
      ...(gpioSim ? { sim: gpioSim.port } : {}),
      ...(gpioSim?.deliveredThroughMs ? { simDeliveredThroughMs: gpioSim.deliveredThroughMs } : {}),
    }),
};
