/**
 * The signals a register map can bind. A station exposes what a real PLC program for it would:
 * counters, status bits, a fault code and condition values; a PLC also has its identity string
 * and a heartbeat. Names are those used in scenario files: "press.partCount",
 * "press.condition.vibration", "identity", "heartbeat".
 */

export const STATION_SIGNALS = [
  'partCount',
  'goodCount',
  'rejectCount',
  'cycleComplete',
  'running',
  'faultCode',
  'starved',
  'blocked',
  'plannedStop',
  'lastCycleTimeMs',
  'productCode',
  'condition',
] as const;
export type StationSignalName = (typeof STATION_SIGNALS)[number];

export type SignalRef =
  | { readonly kind: 'station'; readonly station: string; readonly signal: Exclude<StationSignalName, 'condition'> }
  | { readonly kind: 'station'; readonly station: string; readonly signal: 'condition'; readonly condition: string }
  | { readonly kind: 'identity' }
  | { readonly kind: 'heartbeat' };

/** Parses a signal name, or undefined when it is not one. */
export function parseSignal(text: string): SignalRef | undefined {
  if (text === 'identity') return { kind: 'identity' };
  if (text === 'heartbeat') return { kind: 'heartbeat' };
  const parts = text.split('.');
  const [station, signal, condition] = parts;
  if (station === undefined || station === '' || signal === undefined) return undefined;
  if (signal === 'condition') {
    if (parts.length !== 3 || condition === undefined || condition === '') return undefined;
    return { kind: 'station', station, signal: 'condition', condition };
  }
  if (parts.length !== 2 || !(STATION_SIGNALS as readonly string[]).includes(signal)) return undefined;
  return { kind: 'station', station, signal: signal as Exclude<StationSignalName, 'condition'> };
}

export type RegisterTypeName =
  | 'bool'
  | 'bit'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string';

/** Registers (16-bit words) a value of this type occupies; 1 for bool/bit. */
export function entryWordCount(type: RegisterTypeName, length: number | undefined): number {
  switch (type) {
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      return length ?? 1;
    default:
      return 1;
  }
}
