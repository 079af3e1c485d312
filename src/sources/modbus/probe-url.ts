/**
 * Endpoint URLs for `lineside probe`:
 *   tcp://10.0.0.5[:502]                      Modbus TCP
 *   rtu+tcp://10.0.0.9:4001                   RTU frames through a serial gateway (also rtutcp://)
 *   rtu:///dev/ttyUSB0?baud=19200&parity=even&databits=8&stopbits=1
 */
import type { SerialLine, TransportEndpoint } from './endpoint.js';

export type ParsedEndpoint =
  | { readonly ok: true; readonly endpoint: TransportEndpoint }
  | { readonly ok: false; readonly message: string };

const EXAMPLES = 'tcp://10.0.0.5:502, rtu:///dev/ttyUSB0?baud=19200&parity=even or rtu+tcp://10.0.0.9:4001';

export function parseEndpointUrl(text: string): ParsedEndpoint {
  const scheme = /^([a-z+]+):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { ok: false, message: `"${text}" is not an endpoint URL; expected ${EXAMPLES}` };
  if (scheme === 'rtu') return parseSerial(text);
  if (scheme !== 'tcp' && scheme !== 'rtu+tcp' && scheme !== 'rtutcp') {
    return { ok: false, message: `unknown scheme "${scheme}://"; expected ${EXAMPLES}` };
  }
  let url: URL;
  try {
    // WHATWG URL parses host and port only for special schemes: borrow http's grammar.
    url = new URL(`http://${text.slice(scheme.length + 3)}`);
  } catch {
    return { ok: false, message: `"${text}" is not a valid URL; expected ${EXAMPLES}` };
  }
  if (url.hostname === '') return { ok: false, message: `"${text}" names no host` };
  const port = url.port === '' ? 502 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { ok: true, endpoint: { kind: scheme === 'tcp' ? 'tcp' : 'rtu-tcp', host, port } };
}

function parseSerial(text: string): ParsedEndpoint {
  const rest = text.slice('rtu://'.length);
  const [pathPart, query = ''] = rest.split('?', 2) as [string, string?];
  const path = decodeURIComponent(pathPart);
  if (!path.startsWith('/'))
    return { ok: false, message: `"${text}": give the serial device as an absolute path, e.g. rtu:///dev/ttyUSB0` };
  const params = new URLSearchParams(query);
  const serial: { -readonly [K in keyof SerialLine]: SerialLine[K] } = {
    path,
    baudRate: 9600,
    parity: 'none',
    dataBits: 8,
    stopBits: 1,
  };
  for (const [key, value] of params) {
    switch (key.toLowerCase()) {
      case 'baud':
      case 'baudrate': {
        const baud = Number(value);
        if (!Number.isInteger(baud) || baud <= 0)
          return { ok: false, message: `baud "${value}" is not a positive integer` };
        serial.baudRate = baud;
        break;
      }
      case 'parity':
        if (value !== 'none' && value !== 'even' && value !== 'odd')
          return { ok: false, message: `parity "${value}": use none, even or odd` };
        serial.parity = value;
        break;
      case 'databits':
        if (value !== '7' && value !== '8') return { ok: false, message: `databits "${value}": use 7 or 8` };
        serial.dataBits = value === '7' ? 7 : 8;
        break;
      case 'stopbits':
        if (value !== '1' && value !== '2') return { ok: false, message: `stopbits "${value}": use 1 or 2` };
        serial.stopBits = value === '2' ? 2 : 1;
        break;
      default:
        return { ok: false, message: `unknown serial option "${key}"; use baud, parity, databits, stopbits` };
    }
  }
  return { ok: true, endpoint: { kind: 'rtu', serial } };
}
