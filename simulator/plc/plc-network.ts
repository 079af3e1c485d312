/**
 * The virtual PLCs on the network: builds a register image per PLC, groups PLCs into TCP
 * endpoints (PLCs that share a port answer by unit id, like a gateway) and RTU buses (PLCs that
 * share a serial path), and applies comms faults to them.
 */
import type { Logger } from 'pino';
import type { CommsEvent, SimLine } from '../engine/line.js';
import type { PlcSpec, Scenario } from '../scenario-schema.js';
import { PlcFaultState } from './faults.js';
import { PlcImage } from './image.js';
import { RtuBus } from './rtu-server.js';
import { TcpEndpoint } from './tcp-server.js';
import type { VectorTarget } from './vector.js';

export interface NetworkOptions {
  readonly host: string;
  readonly basePort?: number;
  readonly ports?: Readonly<Record<string, number>>;
  readonly serialPaths?: Readonly<Record<string, string>>;
  readonly beforeRequest: () => void;
  readonly logger: Logger;
}

export interface PlcNode {
  readonly spec: PlcSpec;
  readonly image: PlcImage;
  readonly faults: PlcFaultState;
  readonly tcp?: TcpEndpoint;
  readonly rtu?: RtuBus;
}

export class PlcNetwork {
  readonly nodes = new Map<string, PlcNode>();
  private readonly tcp: TcpEndpoint[] = [];
  private readonly rtu: RtuBus[] = [];

  constructor(scenario: Scenario, line: SimLine, options: NetworkOptions) {
    const tcpGroups = new Map<string, PlcSpec[]>();
    const rtuGroups = new Map<string, PlcSpec[]>();
    for (const plc of scenario.plcs) {
      if (plc.transport === 'rtu') {
        const path = options.serialPaths?.[plc.id] ?? plc.serial?.path ?? '';
        rtuGroups.set(path, [...(rtuGroups.get(path) ?? []), plc]);
      } else {
        const port = options.ports?.[plc.id];
        const key =
          port !== undefined
            ? `port:${port === 0 ? plc.id : port}`
            : plc.port === 0
              ? `id:${plc.id}`
              : `port:${plc.port}`;
        tcpGroups.set(key, [...(tcpGroups.get(key) ?? []), plc]);
      }
    }
    const onError = (where: string) => (err: Error) =>
      options.logger.warn({ err, where }, 'simulated PLC server error');
    let groupIndex = 0;
    for (const plcs of tcpGroups.values()) {
      const first = plcs[0] as PlcSpec;
      const explicit = options.ports?.[first.id];
      const port =
        explicit ??
        (options.basePort !== undefined ? (options.basePort === 0 ? 0 : options.basePort + groupIndex) : first.port);
      groupIndex++;
      const units = new Map<number, VectorTarget>();
      const endpoint = new TcpEndpoint({
        host: options.host,
        port,
        units,
        beforeRequest: options.beforeRequest,
        onError: onError(`tcp ${first.id}`),
      });
      for (const spec of plcs) this.addNode(spec, line, units, { tcp: endpoint });
      this.tcp.push(endpoint);
    }
    for (const [path, plcs] of rtuGroups) {
      const first = plcs[0] as PlcSpec;
      const serial = first.serial ?? {
        baudRate: 9600,
        parity: 'none' as const,
        dataBits: 8 as const,
        stopBits: 1 as const,
      };
      const units = new Map<number, VectorTarget>();
      const bus = new RtuBus({
        path,
        baudRate: serial.baudRate,
        parity: serial.parity,
        dataBits: serial.dataBits,
        stopBits: serial.stopBits,
        units,
        beforeRequest: options.beforeRequest,
        onError: onError(`rtu ${path}`),
      });
      for (const spec of plcs) this.addNode(spec, line, units, { rtu: bus });
      this.rtu.push(bus);
    }
  }

  private addNode(
    spec: PlcSpec,
    line: SimLine,
    units: Map<number, VectorTarget>,
    link: { tcp?: TcpEndpoint; rtu?: RtuBus },
  ): void {
    const node: PlcNode = { spec, image: new PlcImage(spec, line), faults: new PlcFaultState(), ...link };
    units.set(spec.unitId, node);
    this.nodes.set(spec.id, node);
  }

  async start(): Promise<void> {
    try {
      for (const endpoint of this.tcp) await endpoint.start();
      for (const bus of this.rtu) await bus.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.tcp.map((e) => e.stop()), ...this.rtu.map((b) => b.stop())]);
  }

  /** "tcp://127.0.0.1:15020 unit 1" or "rtu:///dev/pts/3 unit 2". */
  endpointOf(plcId: string): string {
    const node = this.nodes.get(plcId);
    if (node === undefined) return '';
    if (node.tcp !== undefined) return `tcp://${node.tcp.host}:${node.tcp.port} unit ${node.spec.unitId}`;
    return `rtu://${node.rtu?.path ?? ''} unit ${node.spec.unitId}`;
  }

  node(plcId: string): PlcNode {
    const node = this.nodes.get(plcId);
    if (node === undefined) throw new Error(`no simulated PLC "${plcId}" (have: ${[...this.nodes.keys()].join(', ')})`);
    return node;
  }

  /** Applies a scenario comms fault as the line reports it. */
  applyScenarioFault(event: CommsEvent, logger: Logger): void {
    const node = this.nodes.get(event.plc);
    if (node === undefined) return;
    const background = (p: Promise<void>) =>
      p.catch((err: unknown) => logger.warn({ err, plc: event.plc }, 'simulated comms fault failed'));
    const start = event.phase === 'start';
    switch (event.kind) {
      case 'drop':
        node.tcp?.dropConnections();
        return;
      case 'delay':
      case 'exception':
      case 'silent':
        if (start)
          node.faults.add({
            kind: event.kind,
            untilMono: undefined,
            origin: 'scenario',
            ...(event.delayMs !== undefined ? { delayMs: event.delayMs } : {}),
            ...(event.exceptionCode !== undefined ? { exceptionCode: event.exceptionCode } : {}),
          });
        else node.faults.clear(event.kind, 'scenario');
        return;
      case 'gone':
      case 'restart':
        if (start) {
          if (event.kind === 'restart') node.image.restart();
          node.faults.add({ kind: 'gone', untilMono: undefined, origin: 'scenario' });
          if (node.tcp !== undefined) background(node.tcp.goAway());
        } else {
          node.faults.clear('gone', 'scenario');
          if (node.tcp !== undefined && !node.faults.has('gone')) background(node.tcp.comeBack());
        }
        return;
    }
  }
}
