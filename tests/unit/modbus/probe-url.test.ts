/** The endpoint URLs a plant engineer types into `lineside probe`. */
import { describe, expect, it } from 'vitest';
import { parseEndpointUrl } from '../../../src/sources/modbus/probe-url.js';
import { endpointUrl } from '../../../src/sources/modbus/endpoint.js';

describe('parseEndpointUrl', () => {
  it('tcp with and without a port', () => {
    expect(parseEndpointUrl('tcp://10.0.0.5:5020')).toEqual({
      ok: true,
      endpoint: { kind: 'tcp', host: '10.0.0.5', port: 5020 },
    });
    expect(parseEndpointUrl('tcp://plc1.local')).toEqual({
      ok: true,
      endpoint: { kind: 'tcp', host: 'plc1.local', port: 502 },
    });
  });

  it('RTU over TCP for serial gateways', () => {
    expect(parseEndpointUrl('rtu+tcp://10.0.0.9:4001')).toEqual({
      ok: true,
      endpoint: { kind: 'rtu-tcp', host: '10.0.0.9', port: 4001 },
    });
    expect(parseEndpointUrl('rtutcp://10.0.0.9:4001')).toMatchObject({ ok: true, endpoint: { kind: 'rtu-tcp' } });
  });

  it('serial with line settings in the query', () => {
    expect(parseEndpointUrl('rtu:///dev/ttyUSB0?baud=19200&parity=even')).toEqual({
      ok: true,
      endpoint: {
        kind: 'rtu',
        serial: { path: '/dev/ttyUSB0', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
      },
    });
    expect(parseEndpointUrl('rtu:///dev/serial/by-id/usb-FTDI_RS485-if00?stopbits=2&databits=7')).toMatchObject({
      ok: true,
      endpoint: { serial: { path: '/dev/serial/by-id/usb-FTDI_RS485-if00', baudRate: 9600, stopBits: 2, dataBits: 7 } },
    });
  });

  it('says what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['10.0.0.5:502', /not an endpoint URL/],
      ['http://10.0.0.5', /unknown scheme "http:\/\/"/],
      ['rtu://dev/ttyUSB0', /absolute path/],
      ['rtu:///dev/ttyUSB0?baud=fast', /baud "fast"/],
      ['rtu:///dev/ttyUSB0?parity=mark', /parity "mark"/],
      ['rtu:///dev/ttyUSB0?speed=9600', /unknown serial option "speed"/],
    ];
    for (const [text, message] of cases) {
      const parsed = parseEndpointUrl(text);
      expect(parsed.ok, text).toBe(false);
      expect(parsed.ok ? '' : parsed.message, text).toMatch(message);
    }
  });

  it('endpointUrl prints the form health and errors use', () => {
    expect(endpointUrl({ kind: 'tcp', host: '10.0.0.5', port: 502 })).toBe('tcp://10.0.0.5:502');
    expect(endpointUrl({ kind: 'rtu-tcp', host: '::1', port: 4001 })).toBe('rtu+tcp://[::1]:4001');
    expect(
      endpointUrl({
        kind: 'rtu',
        serial: { path: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
      }),
    ).toBe('rtu:///dev/ttyUSB0');
  });
});
