/** Modbus TCP/RTU for the agent's registry: runs when the config has devices. */
import type { SourceFactory } from '../source.js';
import { createModbusSource } from './source.js';

export const modbusSource: SourceFactory = {
  name: 'modbus',
  enabled: (config) => config.devices.length > 0,
  create: ({ config, clock, logger }) => createModbusSource(config, { clock, logger }),
};
