import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runUntilSignal } from '../agent/run.js';
import { errorMessage } from '../lib/errors.js';
import { setUpDemo, type Demo, type DemoOptions } from './demo-setup.js';
import { EXIT, type CliIo } from './io.js';

export const DEMO_HELP = `usage: lineside demo [--speed X] [--seed N] [--http-port P] [--mqtt-port P] [--sparkplug]

Runs the simulated 3-station line (press, weld, pack), the agent, an embedded MQTT broker and the
dashboard on this machine, with no external service. Ctrl-C stops everything cleanly.
  --speed X       simulated seconds per real second (default 1; 60 = an hour a minute)
  --seed N        the simulator's random seed (default 1)
  --http-port P   dashboard port (default 8080, or a free one if taken)
  --mqtt-port P   embedded broker port (default 1883, or a free one if taken)
  --sparkplug     also run the Sparkplug B edge node (spBv1.0/plant1/.../line1-demo), for SCADA
Each option can also come from the environment (handy with \`npm start\`); a flag wins:
  LINESIDE_DEMO_SPEED, LINESIDE_DEMO_SEED, LINESIDE_DEMO_HTTP_PORT, LINESIDE_DEMO_MQTT_PORT,
  LINESIDE_DEMO_SPARKPLUG=1,
  LINESIDE_DEMO_HTTP_HOST (default 127.0.0.1; 0.0.0.0 to show the dashboard on the LAN).
Data (spool, history, the demo's users) goes to ./.lineside/demo (LINESIDE_DEMO_DATA overrides).
The dashboard has one user per role, each with the password "demo": viewer, operator,
maintenance, supervisor, engineer.
`;

/** Flags first, then LINESIDE_DEMO_* variables, then defaults; throws naming the bad value. */
function demoOptions(args: string[], env: NodeJS.ProcessEnv): DemoOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      speed: { type: 'string' },
      seed: { type: 'string' },
      'http-port': { type: 'string' },
      'mqtt-port': { type: 'string' },
      sparkplug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pick = (
    flag: keyof typeof values,
    variable: string,
    fallback: number,
    valid: (n: number) => boolean,
    what: string,
  ): number => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'boolean') return fallback;
    const text = fromFlag ?? env[variable];
    if (text === undefined || text === '') return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || !valid(n)) {
      throw new Error(`${fromFlag === undefined ? variable : `--${flag}`} must be ${what}, got "${text}"`);
    }
    return n;
  };
  const port = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  return {
    speed: pick(
      'speed',
      'LINESIDE_DEMO_SPEED',
      1,
      (n) => n > 0 && n <= 100_000,
      'a number of simulated seconds per second, above 0',
    ),
    seed: pick(
      'seed',
      'LINESIDE_DEMO_SEED',
      1,
      (n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff,
      'an integer 0..4294967295',
    ),
    httpPort: pick('http-port', 'LINESIDE_DEMO_HTTP_PORT', 0, port, 'a port 1..65535'),
    mqttPort: pick('mqtt-port', 'LINESIDE_DEMO_MQTT_PORT', 0, port, 'a port 1..65535'),
    sparkplug: values.sparkplug === true || env.LINESIDE_DEMO_SPARKPLUG === '1',
  };
}

export async function runDemo(args: string[], io: CliIo): Promise<number> {
  let opts: DemoOptions;
  try {
    const parsed = demoOptions(args, process.env);
    if (parsed === 'help') {
      io.stdout.write(DEMO_HELP);
      return EXIT.ok;
    }
    opts = parsed;
  } catch (err) {
    io.stderr.write(`lineside demo: ${errorMessage(err)}\n\n${DEMO_HELP}`);
    return EXIT.badInput;
  }

  let demo: Demo;
  try {
    demo = await setUpDemo(opts);
  } catch (err) {
    io.stderr.write(`lineside demo: ${errorMessage(err)}\n`);
    return EXIT.runtime;
  }
  const { simulator, config, agent, logger, live } = demo;
  const { formatLocalDateTime } = await import('../../simulator/index.js');
  const zone = simulator.scenario.shifts.timezone;
  const plantTime = `plant time ${formatLocalDateTime(zone, live.servedMs)} ${zone}`;
  const moved =
    live.moved === undefined
      ? ''
      : `\n              (now is ${live.moved.detail}: the line starts at its next production, so something moves at once)`;
  try {
    const code = await runUntilSignal(agent, logger, () => {
      const plcs = Object.entries(simulator.ports)
        .map(([plc, port]) => `${plc} 127.0.0.1:${port}`)
        .join(', ');
      io.stdout.write(
        [
          '',
          'Lineside demo is running (Ctrl-C stops it).',
          `  dashboard   http://${config.server.host}:${config.server.port}/   (log in as operator, maintenance, supervisor or engineer; password demo)`,
          `  MQTT        mqtt://127.0.0.1:${config.mqtt.embedded.port}   try: mosquitto_sub -p ${config.mqtt.embedded.port} -t '${config.site.enterprise}/#' -v`,
          ...(config.mqtt.sparkplug.enabled
            ? [
                `  Sparkplug   spBv1.0/${config.mqtt.sparkplug.groupId ?? config.site.site}/+/${config.mqtt.sparkplug.edgeNodeId ?? config.agent.id}/#   (Sparkplug B 3.0, protobuf; docs/sparkplug.md)`,
              ]
            : []),
          `  Modbus      ${plcs} (virtual PLCs; lineside probe tcp://127.0.0.1:${simulator.ports.plc1 ?? ''} --unit 1 --holding 0-15)`,
          `  simulator   demo scenario, seed ${opts.seed}, speed x${opts.speed}, ${plantTime}${moved}`,
          `  data        ${resolve(config.storage.dir)}`,
          '',
        ].join('\n'),
      );
    });
    if (code === EXIT.ok) io.stdout.write('Lineside demo stopped cleanly: everything spooled was flushed.\n');
    return code;
  } catch (err) {
    io.stderr.write(`lineside demo: ${errorMessage(err)}\n`);
    return EXIT.runtime;
  } finally {
    await demo.stopSimulator();
  }
}
