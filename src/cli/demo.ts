import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAgent } from '../agent/agent.js';
import { runUntilSignal } from '../agent/run.js';
import { serverComponents } from '../agent/server-component.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { errorMessage } from '../lib/errors.js';
import { preferPort } from '../lib/free-port.js';
import { createLogger } from '../lib/logger.js';
import { packageRoot } from '../lib/paths.js';
import { EXIT, type CliIo } from './io.js';

export const DEMO_HELP = `usage: lineside demo [--speed X] [--seed N] [--http-port P] [--mqtt-port P]

Runs the simulated 3-station line (press, weld, pack), the agent, an embedded MQTT broker and the
dashboard on this machine, with no external service. Ctrl-C stops everything cleanly.
  --speed X       simulated seconds per real second (default 1; 60 = an hour a minute)
  --seed N        the simulator's random seed (default 1)
  --http-port P   dashboard port (default 8080, or a free one if taken)
  --mqtt-port P   embedded broker port (default 1883, or a free one if taken)
Data (spool, history) goes to ./.lineside/demo (LINESIDE_DEMO_DATA overrides).
`;

export async function runDemo(args: string[], io: CliIo): Promise<number> {
  let opts: { speed: number; seed: number; httpPort: number; mqttPort: number };
  try {
    const { values } = parseArgs({
      args,
      options: {
        speed: { type: 'string', default: '1' },
        seed: { type: 'string', default: '1' },
        'http-port': { type: 'string' },
        'mqtt-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(DEMO_HELP);
      return EXIT.ok;
    }
    const num = (name: string, text: string | undefined, fallback: number) => {
      const n = text === undefined ? fallback : Number(text);
      if (!Number.isFinite(n) || n < 0 || (text !== undefined && n === 0)) throw new Error(`--${name} must be a positive number, got "${text}"`);
      return n;
    };
    opts = {
      speed: num('speed', values.speed, 1),
      seed: num('seed', values.seed, 1),
      httpPort: num('http-port', values['http-port'], 0),
      mqttPort: num('mqtt-port', values['mqtt-port'], 0),
    };
  } catch (err) {
    io.stderr.write(`lineside demo: ${errorMessage(err)}\n\n${DEMO_HELP}`);
    return EXIT.badInput;
  }

  const sim = await import('../../simulator/index.js');
  const scenarioResult = sim.loadScenarioFile('demo');
  if (!scenarioResult.ok) {
    io.stderr.write(`${sim.formatScenarioIssues(scenarioResult)}\n`);
    return EXIT.runtime;
  }
  const simulator = await sim.startSimulator({ scenario: scenarioResult.scenario, seed: opts.seed, speed: opts.speed, basePort: 0, startWallMs: Date.now() });
  try {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const [plc, port] of Object.entries(simulator.ports)) env[`LINESIDE_SIM_PORT_${plc.toUpperCase()}`] = String(port);
    env.LINESIDE_DEMO_HTTP_PORT ??= String(opts.httpPort || (await preferPort(8080)));
    env.LINESIDE_DEMO_MQTT_PORT ??= String(opts.mqttPort || (await preferPort(1883)));
    const configFile = join(packageRoot(), 'config', 'demo.yaml');
    const loaded = loadConfigFile(configFile, { env });
    if (!loaded.ok) {
      io.stderr.write(`${configFile}: the demo config is broken (a bug):\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
      return EXIT.runtime;
    }
    const { config } = loaded;
    const logger = createLogger(process.env.LINESIDE_LOG_LEVEL === undefined ? 'warn' : config.logging.level);
    const agent = createAgent({
      config,
      logger,
      clock: simulator.clock,
      gpioSim: { port: simulator.gpio, deliveredThroughMs: () => simulator.line.nowMs },
      extraComponents: serverComponents,
    });
    return await runUntilSignal(agent, logger, () => {
      const plcs = Object.entries(simulator.ports).map(([plc, port]) => `${plc} 127.0.0.1:${port}`).join(', ');
      io.stdout.write(
        [
          '',
          'Lineside demo is running (Ctrl-C stops it).',
          `  dashboard   http://${config.server.host}:${config.server.port}/   (operator token: ${config.server.operatorToken === 'demo' ? 'demo' : 'from LINESIDE_OPERATOR_TOKEN'})`,
          `  MQTT        mqtt://127.0.0.1:${config.mqtt.embedded.port}   try: mosquitto_sub -p ${config.mqtt.embedded.port} -t '${config.site.enterprise}/#' -v`,
          `  Modbus      ${plcs} (virtual PLCs; lineside probe tcp://127.0.0.1:${simulator.ports.plc1 ?? ''} --unit 1 --holding 0-15)`,
          `  simulator   demo scenario, seed ${opts.seed}, speed x${opts.speed}`,
          `  data        ${config.storage.dir}`,
          '',
        ].join('\n'),
      );
    });
  } catch (err) {
    io.stderr.write(`lineside demo: ${errorMessage(err)}\n`);
    return EXIT.runtime;
  } finally {
    await simulator.stop();
  }
}
