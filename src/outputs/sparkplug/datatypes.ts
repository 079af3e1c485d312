/**
 * Sparkplug B 3.0 metric datatypes (spec 6.4.16) and which protobuf field of a Metric carries each
 * (pure). Int8..Int32 and UInt8..UInt32 travel in the uint32 `int_value` (signed ones as two's
 * complement), Int64, UInt64 and DateTime (ms since the epoch) in the uint64 `long_value`.
 */
export const DataType = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
} as const;

export type DataTypeName = keyof typeof DataType;

/** The Metric field that carries a value of the type. */
export type ValueField = 'int' | 'long' | 'float' | 'double' | 'boolean' | 'string';

export function valueFieldOf(type: DataTypeName): ValueField {
  switch (type) {
    case 'Int8':
    case 'Int16':
    case 'Int32':
    case 'UInt8':
    case 'UInt16':
    case 'UInt32':
      return 'int';
    case 'Int64':
    case 'UInt64':
    case 'DateTime':
      return 'long';
    case 'Float':
      return 'float';
    case 'Double':
      return 'double';
    case 'Boolean':
      return 'boolean';
    case 'String':
    case 'Text':
      return 'string';
  }
}

/** The datatype of a code, or undefined for one this edge node does not use. */
export function dataTypeName(code: number): DataTypeName | undefined {
  for (const [name, value] of Object.entries(DataType)) if (value === code) return name as DataTypeName;
  return undefined;
}
