/**
 * The modbus-serial service vector shared by the TCP and RTU servers: routes a request by unit
 * id to a PLC image, applies that PLC's comms faults, and answers through the library's callback
 * form, which is the one form that can answer late (delay), never (silent) or with an exception.
 * (With the synchronous form, modbus-serial cannot delay; a promise from getMultiple* is rejected
 * as a length mismatch, see servertcp_handler.js.)
 */
import type { IServiceVector } from 'modbus-serial/ServerTCP.js';
import type { PlcFaultState } from './faults.js';
import { ILLEGAL_DATA_ADDRESS, ModbusException, type Area, type PlcImage } from './image.js';

export interface VectorTarget {
  readonly image: PlcImage;
  readonly faults: PlcFaultState;
}

export interface VectorOptions {
  /** unit id -> PLC on this endpoint. */
  readonly units: ReadonlyMap<number, VectorTarget>;
  /** Called before every request: advances the simulation to the clock and expires faults. */
  readonly beforeRequest: () => void;
  /** Answer for a unit id nobody has: an exception code (TCP gateway: 0x0B) or undefined = silent (RTU). */
  readonly unknownUnit: number | undefined;
  /** Pending delayed replies, so stop() can cancel them. */
  readonly timers: Set<NodeJS.Timeout>;
  /** Counts requests per unit id (for tests and the CLI's status line). */
  readonly onRequest?: (unitId: number) => void;
}

type Callback<T> = (err: { modbusErrorCode: number; message?: string } | Error | null, value?: T) => void;

export function createVector(options: VectorOptions): IServiceVector {
  const serve = <T>(unitId: number, compute: (image: PlcImage) => T, cb: Callback<T>): void => {
    try {
      options.beforeRequest();
      options.onRequest?.(unitId);
      const target = options.units.get(unitId);
      if (target === undefined) {
        if (options.unknownUnit !== undefined) cb({ modbusErrorCode: options.unknownUnit });
        return; // RTU: a unit that is not on the bus never answers.
      }
      const d = target.faults.disposition();
      if (d.kind === 'silent') return;
      if (d.kind === 'exception') return cb({ modbusErrorCode: d.code });
      if (d.kind === 'delay') {
        // The value is read when the reply leaves, as a slow PLC would answer.
        const timer = setTimeout(() => {
          options.timers.delete(timer);
          answer(target.image, compute, cb);
        }, d.delayMs);
        options.timers.add(timer);
        return;
      }
      answer(target.image, compute, cb);
    } catch (err) {
      cb(
        err instanceof ModbusException
          ? { modbusErrorCode: err.modbusErrorCode, message: err.message }
          : { modbusErrorCode: 4 },
      );
    }
  };

  const words = (area: Area) => (addr: number, length: number, unitId: number, cb: Callback<number[]>) =>
    serve(unitId, (image) => image.read(area, addr, length), cb);
  const word = (area: Area) => (addr: number, unitId: number, cb: Callback<number>) =>
    serve(unitId, (image) => image.read(area, addr, 1)[0] as number, cb);
  const bit = (area: Area) => (addr: number, unitId: number, cb: Callback<boolean>) =>
    serve(unitId, (image) => image.read(area, addr, 1)[0] === 1, cb);
  const readOnly = (_addr: number, _value: unknown, _unitId: number, cb: Callback<void>) =>
    cb({ modbusErrorCode: ILLEGAL_DATA_ADDRESS, message: 'the simulated PLC map is read-only' });

  // Casts: the library's union types cannot express "this callback form" for each member.
  return {
    getMultipleHoldingRegisters: words('holding'),
    getMultipleInputRegisters: words('input'),
    getHoldingRegister: word('holding'),
    getInputRegister: word('input'),
    getCoil: bit('coil'),
    getDiscreteInput: bit('discrete'),
    setRegister: readOnly,
    setCoil: readOnly,
    setRegisterArray: readOnly,
  } as unknown as IServiceVector;
}

function answer<T>(image: PlcImage, compute: (image: PlcImage) => T, cb: Callback<T>): void {
  let value: T;
  try {
    value = compute(image);
  } catch (err) {
    cb(
      err instanceof ModbusException
        ? { modbusErrorCode: err.modbusErrorCode, message: err.message }
        : { modbusErrorCode: 4 },
    );
    return;
  }
  cb(null, value);
}
