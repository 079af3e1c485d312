/**
 * Modbus servers for the Modbus benchmarks, in their own process so that their CPU time is not
 * charged to the poller being measured. Prints one JSON line {"ports": [...]} when listening,
 * then runs until stdin closes or SIGTERM.
 *
 *   npx tsx bench/modbus-server-farm.ts --plcs 10     10 PLCs whose registers change on every read
 *   ... --counter-period 10                               register 0 counts parts: +1 every 10 reads
 *   npx tsx bench/modbus-server-farm.ts --simulator   the simulator's demo line (real time)
 */
import { parseArgs } from 'node:util';
import { startSimulator } from '../simulator/index.js';
import { startFaultServer, type FaultServer } from '../tests/helpers/modbus-fault-server.js';

const { values } = parseArgs({
  options: {
    plcs: { type: 'string', default: '10' },
    simulator: { type: 'boolean', default: false },
    // Register 0 of every PLC counts parts instead: +1 every N reads (a station's cycle counter).
    'counter-period': { type: 'string' },
  },
});

const stops: (() => Promise<void>)[] = [];
let ports: number[];

if (values.simulator) {
  const sim = await startSimulator({ scenario: 'demo', speed: 1, basePort: 0 });
  stops.push(() => sim.stop());
  ports = Object.values(sim.ports);
} else {
  const servers: FaultServer[] = [];
  const counterPeriod = values['counter-period'] === undefined ? undefined : Number(values['counter-period']);
  for (let i = 0; i < Number(values.plcs); i++) {
    const server = await startFaultServer();
    let reads = 0;
    // Every read sees new values, so a poller that reports by exception still publishes all
    // (kept below 0x4000 so no register pair is a float NaN).
    server.behave((req) => {
      reads++;
      if (req.area === 'holding' || req.area === 'input') {
        server.setRegisters(
          req.area,
          req.start,
          Array.from({ length: req.count }, (_, k) =>
            counterPeriod !== undefined && req.start + k === 0
              ? Math.floor(reads / counterPeriod) & 0x3fff
              : (reads * 7 + k * 13) & 0x3fff,
          ),
        );
      }
      return undefined;
    });
    servers.push(server);
    stops.push(() => server.stop());
  }
  ports = servers.map((s) => s.port);
}

process.stdout.write(`${JSON.stringify({ ports })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(stops.map((s) => s()));
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
