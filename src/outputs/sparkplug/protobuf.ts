/**
 * The few protobuf wire rules a Sparkplug payload needs (pure): varints (uint64 included, via
 * BigInt only where a number cannot hold it), 64-bit doubles, 32-bit floats, and length-delimited
 * fields; and a reader for the same. No schema: payload.ts says which field is which.
 */
const TWO_32 = 2 ** 32;

export class ProtoWriter {
  private chunks: number[] = [];

  /** Field tag: number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  /** An unsigned varint; `value` is a non-negative integer or a bigint below 2^64. */
  varint(value: number | bigint): void {
    if (typeof value === 'bigint' || value > Number.MAX_SAFE_INTEGER) {
      let v = BigInt(value);
      while (v >= 0x80n) {
        this.chunks.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.chunks.push(Number(v));
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.chunks.push(v % 0x80 | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
  }

  double(value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    for (const b of bytes) this.chunks.push(b);
  }

  float(value: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    for (const b of bytes) this.chunks.push(b);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    for (const b of value) this.chunks.push(b);
  }

  string(value: string): void {
    this.bytes(Buffer.from(value, 'utf8'));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

export class ProtoReader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(Number(t) / 8), wire: Number(t) % 8 };
  }

  /** An unsigned varint, as a bigint (uint64 values do not fit a number). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buf[this.at++];
      if (byte === undefined) throw new Error('protobuf: truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('protobuf: varint longer than 64 bits');
    }
  }

  double(): number {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 8);
    this.at += 8;
    return view.getFloat64(0, true);
  }

  float(): number {
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.at, 4);
    this.at += 4;
    return view.getFloat32(0, true);
  }

  bytes(): Uint8Array {
    const length = Number(this.varint());
    if (this.at + length > this.buf.length) throw new Error('protobuf: truncated field');
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  /** Skips a field this reader does not use. */
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.at += 4;
    else throw new Error(`protobuf: wire type ${wire} not supported`);
    if (this.at > this.buf.length) throw new Error('protobuf: truncated field');
  }
}

/** Two's complement of a signed 32-bit integer, as the uint32 Sparkplug carries Int8..Int32 in. */
export function toUint32(value: number): number {
  return value < 0 ? value + TWO_32 : value;
}

/** Two's complement of a signed 64-bit integer, as the uint64 Sparkplug carries Int64 in. */
export function toUint64(value: number | bigint): number | bigint {
  return value < 0 ? (1n << 64n) + BigInt(value) : value;
}
