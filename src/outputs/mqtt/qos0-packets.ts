/**
 * MQTT PUBLISH packets at QoS 0, encoded straight into one buffer (pure). A QoS 0 publish has no
 * packet id and no acknowledgement, so there is no client state to keep: the live tag values of a
 * poll go to the socket as one write of N packets instead of N trips through mqtt.js's publish
 * path (options, packet objects, stream writes, debug calls), which cost most of the agent's CPU
 * on a 2,000 values/s job. MQTT 3.1.1 section 3.3 and MQTT 5 section 3.3 (an empty property list).
 */

export interface Qos0Publish {
  /** UTF-8 topic name (cache it per tag: it is the same on every value). */
  readonly topic: Buffer;
  readonly payload: string;
}

/** Largest remaining length MQTT can express (four length bytes). */
const MAX_REMAINING = 268_435_455;

export function encodeQos0Publishes(
  messages: readonly Qos0Publish[],
  options: { readonly retain: boolean; readonly protocolVersion: number },
): Buffer {
  const v5 = options.protocolVersion === 5;
  const sized = messages.map((m) => {
    if (m.topic.length > 0xffff) throw new RangeError('an MQTT topic name is at most 65,535 bytes');
    const payloadBytes = Buffer.byteLength(m.payload);
    const rest = 2 + m.topic.length + (v5 ? 1 : 0) + payloadBytes;
    if (rest > MAX_REMAINING) throw new RangeError(`an MQTT packet can carry at most ${MAX_REMAINING} bytes`);
    return { m, payloadBytes, rest };
  });
  const total = sized.reduce((sum, p) => sum + 1 + lengthBytes(p.rest) + p.rest, 0);
  const out = Buffer.allocUnsafe(total);
  const first = 0x30 | (options.retain ? 1 : 0);
  let at = 0;
  for (const { m, payloadBytes, rest } of sized) {
    out[at++] = first;
    let left = rest;
    do {
      let byte = left % 128;
      left = Math.floor(left / 128);
      if (left > 0) byte |= 0x80;
      out[at++] = byte;
    } while (left > 0);
    out.writeUInt16BE(m.topic.length, at);
    at += 2;
    at += m.topic.copy(out, at);
    if (v5) out[at++] = 0; // no properties
    at += out.write(m.payload, at, payloadBytes, 'utf8');
  }
  return out;
}

function lengthBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}
