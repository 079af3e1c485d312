/**
 * Every source and output the agent can run. Adding one is a folder with its factory and a line
 * here; createAgent builds whatever the config enables, in this order.
 */
import { influxOutput } from '../outputs/influx/factory.js';
import { mqttOutput } from '../outputs/mqtt/factory.js';
import type { OutputFactory } from '../outputs/output.js';
import { webhookOutput } from '../outputs/webhook/factory.js';
import { gpioSource } from '../sources/gpio/factory.js';
import { modbusSource } from '../sources/modbus/factory.js';
import type { SourceFactory } from '../sources/source.js';

export const SOURCES: readonly SourceFactory[] = [modbusSource, gpioSource];

export const OUTPUTS: readonly OutputFactory[] = [mqttOutput, influxOutput, webhookOutput];
