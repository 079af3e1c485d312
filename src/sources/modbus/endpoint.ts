/**
 * Where a device is reached: one TCP endpoint (Modbus TCP or RTU framing through a serial
 * gateway) or one serial bus. Devices with the same endpoint key share one connection and one
 * request queue.
 */
import type { Device } from '../../config/schema.js';

export interface SerialLine {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly dataBits: 7 | 8;
  readonly stopBits: 1 | 2;
}

export type TransportEndpoint =
  | { readonly kind: 'tcp' | 'rtu-tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'rtu'; readonly serial: SerialLine };

export function endpointOfDevice(device: Device): TransportEndpoint {
  switch (device.protocol) {
    case 'modbus-tcp':
      return { kind: 'tcp', host: device.host, port: device.port };
    case 'modbus-rtu-tcp':
      return { kind: 'rtu-tcp', host: device.host, port: device.port };
    case 'modbus-rtu':
      return { kind: 'rtu', serial: { ...device.serial } };
  }
}

/** "tcp://10.0.0.5:502", "rtu+tcp://10.0.0.9:4001", "rtu:///dev/ttyUSB0". */
export function endpointUrl(endpoint: TransportEndpoint): string {
  if (endpoint.kind === 'rtu') return `rtu://${endpoint.serial.path}`;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.kind === 'tcp' ? 'tcp' : 'rtu+tcp'}://${host}:${endpoint.port}`;
}

/** Devices with equal keys share a transport: one TCP connection, or one RS-485 bus. */
export function endpointKey(endpoint: TransportEndpoint): string {
  return endpoint.kind === 'rtu' ? `rtu:${endpoint.serial.path}` : `${endpoint.kind}:${endpoint.host}:${endpoint.port}`;
}
