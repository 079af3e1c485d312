/**
 * The demo's composition: the bundled demo scenario served by the simulator on free ports, and the
 * agent (core, spool, embedded broker, dashboard) built from config/demo.yaml against it. Shared by
 * `lineside demo` and the end-to-end browser test, so the test drives exactly what users run.
 */
import { join, resolve } from 'node:path';
import { createAgent, type Agent } from '../agent/agent.js';
import type { LinesideConfig } from '../config/schema.js';
import { formatIssue } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { LinesideError } from '../lib/errors.js';
import { preferPort } from '../lib/free-port.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { packageRoot } from '../lib/paths.js';
import { seedDemoUsers } from '../users/demo-users.js';
import type { LiveStart, SimulatorHandle } from '../../simulator/index.js';
import { CONFIG_FILE_CHECKS } from '../users/config-check.js';

/** Where the demo keeps its spool, history and users unless LINESIDE_DEMO_DATA says otherwise (config/demo.yaml). */
const DEMO_DATA_DIR = './.lineside/demo';

export interface DemoOptions {
  readonly speed: number;
  readonly seed: number;
  /** 0 = the default port, or a free one when it is taken. */
  readonly httpPort: number;
  readonly mqttPort: number;
  /** Also run the Sparkplug B edge node. */
  readonly sparkplug?: boolean;
  /** Plant time to start at (default now); tests pin it. The live-start rule still applies. */
  readonly startWallMs?: number;
}

export interface Demo {
  readonly simulator: SimulatorHandle;
  readonly config: Readonly<LinesideConfig>;
  readonly agent: Agent;
  readonly logger: Logger;
  /** Where the simulated line starts, and why when not now (simulator/time/live-start.ts). */
  readonly live: LiveStart;
  /** The agent is built but not started (runUntilSignal or the caller starts it); this stops the simulator. */
  stopSimulator(): Promise<void>;
}

/** Starts the simulator and builds the agent; throws a LinesideError (DEMO_BROKEN) if the bundled files are. */
export async function setUpDemo(opts: DemoOptions, processEnv: NodeJS.ProcessEnv = process.env): Promise<Demo> {
  const sim = await import('../../simulator/index.js');
  const scenarioResult = sim.loadScenarioFile('demo');
  if (!scenarioResult.ok) throw new LinesideError('DEMO_BROKEN', sim.formatScenarioIssues(scenarioResult), {});
  // The same rule as `lineside simulate`: in a break or between shifts the demo would show every
  // station in a planned stop for up to half an hour, so it starts at the next production instead,
  // warmed up, and the banner says so.
  const scenario = scenarioResult.scenario;
  const live = sim.chooseLiveStart(scenario, opts.startWallMs ?? Date.now());
  const clock = new sim.VirtualClock({ startWallMs: live.runStartMs, speed: opts.speed, startMonoMs: live.warmupMs });
  const simulator = await sim.startSimulator({ scenario, seed: opts.seed, clock, basePort: 0 });
  try {
    const env: Record<string, string | undefined> = { ...processEnv };
    for (const [plc, port] of Object.entries(simulator.ports))
      env[`LINESIDE_SIM_PORT_${plc.toUpperCase()}`] = String(port);
    env.LINESIDE_DEMO_HTTP_PORT = String(opts.httpPort || (await preferPort(8080)));
    env.LINESIDE_DEMO_MQTT_PORT = String(opts.mqttPort || (await preferPort(1883)));
    // Absolute, so storage.dir (taken from the working directory) and server.usersFile (taken
    // from the config file's directory) mean the same place.
    env.LINESIDE_DEMO_DATA = resolve(env.LINESIDE_DEMO_DATA ?? DEMO_DATA_DIR);
    await seedDemoUsers(join(env.LINESIDE_DEMO_DATA, 'users.json'));
    const configFile = join(packageRoot(), 'config', 'demo.yaml');
    const loaded = loadConfigFile(configFile, { env, fileChecks: CONFIG_FILE_CHECKS });
    if (!loaded.ok) {
      const issues = loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n');
      throw new LinesideError('DEMO_BROKEN', `${configFile}: the demo config is broken (a bug):\n${issues}`, {
        configFile,
      });
    }
    const config: Readonly<LinesideConfig> =
      opts.sparkplug === true
        ? {
            ...loaded.config,
            mqtt: { ...loaded.config.mqtt, sparkplug: { ...loaded.config.mqtt.sparkplug, enabled: true } },
          }
        : loaded.config;
    const logger = createLogger(processEnv.LINESIDE_LOG_LEVEL === undefined ? 'warn' : config.logging.level);
    const agent = createAgent({
      config,
      logger,
      clock: simulator.clock,
      gpioSim: { port: simulator.gpio, deliveredThroughMs: () => simulator.line.nowMs },
    });
    return { simulator, config, agent, logger, live, stopSimulator: () => simulator.stop() };
  } catch (err) {
    await simulator.stop();
    throw err;
  }
}
