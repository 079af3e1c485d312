/** A real Modbus master for the simulator's integration tests (modbus-serial's client). */
import ModbusSerial from 'modbus-serial';

// The CommonJS module's default export is the module itself; `.default` is the typed client class.
const ModbusRTU = ModbusSerial.default;

export type Client = InstanceType<typeof ModbusRTU>;

export async function tcpClient(port: number, unitId = 1, timeoutMs = 1_000): Promise<Client> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(unitId);
  client.setTimeout(timeoutMs);
  return client;
}

export function closeClient(client: Client | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (client === undefined || !client.isOpen) return resolve();
    client.close(() => resolve());
  });
}

/** The rejection of a request, for asserting on modbusCode / errno / message. */
export async function failureOf(
  request: Promise<unknown>,
): Promise<{ modbusCode?: number; errno?: string; message: string }> {
  try {
    await request;
  } catch (err) {
    const e = err as { modbusCode?: number; errno?: string; message?: string };
    return {
      ...(e.modbusCode !== undefined ? { modbusCode: e.modbusCode } : {}),
      ...(e.errno !== undefined ? { errno: e.errno } : {}),
      message: String(e.message),
    };
  }
  throw new Error('expected the request to fail');
}

/** Independent decoding for the tests (not the simulator's encoder, not the agent's decoder). */
export const u32 = (hi: number, lo: number) => hi * 65536 + lo;
export const f32 = (hi: number, lo: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi, 0);
  b.writeUInt16BE(lo, 2);
  return b.readFloatBE(0);
};
export const f64 = (w: readonly number[]) => {
  const b = Buffer.alloc(8);
  w.forEach((x, i) => b.writeUInt16BE(x, i * 2));
  return b.readDoubleBE(0);
};
export const i16 = (w: number) => (w >= 0x8000 ? w - 0x10000 : w);
