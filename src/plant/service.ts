/**
 * The plant server assembled: history store → model (rebuilt from the stored current shifts) →
 * MQTT subscriber → HTTP. Started by `lineside plant` (src/cli/plant.ts); one direction, like the
 * agent: the broker's messages go into the model (and the store), the page and API read it.
 */
import type { PlantConfig } from '../config/plant-schema.js';
import { plantTopicRoot } from '../config/plant-schema.js';
import type { Clock } from '../core/sample.js';
import { errorMessage, LinesideError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { defaultWebDir, loadStaticFiles } from '../server/static.js';
import { buildPlantApp, type PlantApp } from './http.js';
import { PlantModel } from './model.js';
import { LedgerStore } from './store.js';
import { PlantSubscriber } from './subscriber.js';

/** Retention runs at start and then hourly. */
const PRUNE_INTERVAL_MS = 3_600_000;
/** A topic that keeps sending bad messages is logged at most this often. */
const BAD_LOG_INTERVAL_MS = 60_000;
/** Topics remembered for that (a hostile publisher cannot grow it without bound). */
const BAD_LOG_TOPICS = 1_000;

export interface PlantServiceDeps {
  readonly config: Readonly<PlantConfig>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The page's files (default src/web of the package). */
  readonly webDir?: string;
}

export interface RunningPlant {
  readonly url: string;
  readonly model: PlantModel;
  readonly http: PlantApp;
  stop(): Promise<void>;
}

export async function startPlantServer(deps: PlantServiceDeps): Promise<RunningPlant> {
  const { config, logger, clock } = deps;
  const files = loadStaticFiles(deps.webDir ?? defaultWebDir());
  if (!files.has('plant.html'))
    throw new LinesideError('SERVER_START', 'the plant page (plant.html) is missing from the web files', {});
  const store = LedgerStore.open(config.storage.dir, logger, clock.wallMs());
  const model = new PlantModel({
    root: plantTopicRoot(config),
    sites: config.sites,
    ...(config.plant.name === undefined ? {} : { name: config.plant.name }),
    timezone: config.plant.timezone,
    links: config.lines,
  });
  const pruned = store.prune(clock.wallMs(), config.history.days);
  const restored = store.currentPerLine();
  for (const r of restored) model.restoreLedger(r.site, r.line, r.ledger);
  for (const a of store.statuses()) model.restoreStatus(a.site, a.agentId, a.status, a.sinceMs);
  logger.info(
    { component: 'plant', file: store.file, restoredLines: restored.length, pruned },
    'plant history opened; current shifts restored',
  );

  const badLogged = new Map<string, number>();
  const onMessage = (topic: string, payload: Buffer, receivedAtMs: number) => {
    const result = model.ingest(topic, payload, receivedAtMs);
    if (result.kind === 'ledger')
      store.upsert(result.site, result.line, result.ledger, payload.toString('utf8'), receivedAtMs);
    else if (result.kind === 'status') store.putStatus(result.site, result.agentId, result.status, result.sinceMs);
    else if (result.kind === 'bad') {
      const last = badLogged.get(topic);
      if (last !== undefined && receivedAtMs - last < BAD_LOG_INTERVAL_MS) return;
      if (badLogged.size >= BAD_LOG_TOPICS) badLogged.clear();
      badLogged.set(topic, receivedAtMs);
      logger.warn(
        { component: 'plant', code: 'BAD_MESSAGE', topic, reason: result.reason, badMessages: model.stats().bad },
        `refused a message on ${topic}: ${result.reason}`,
      );
    }
  };
  let subscriber: PlantSubscriber;
  let http: PlantApp;
  try {
    subscriber = new PlantSubscriber({ config, clock, logger, onMessage });
    http = await buildPlantApp({ config, logger, clock, model, store, subscriber, files });
  } catch (err) {
    store.close();
    throw err;
  }
  const pruneTimer = setInterval(() => store.prune(clock.wallMs(), config.history.days), PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  const { host, port } = config.server;
  try {
    await http.app.listen({ host, port });
  } catch (err) {
    clearInterval(pruneTimer);
    await http.app.close().catch(() => undefined);
    store.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new LinesideError(
      'SERVER_START',
      `cannot listen on ${host}:${port}: ${errorMessage(err)}${code === 'EADDRINUSE' ? ' (another program uses the port: change server.port)' : ''}`,
      { host, port },
      { cause: err },
    );
  }
  subscriber.start();
  const address = http.app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}`;
  logger.info({ component: 'plant', url }, 'plant server listening');

  return {
    url,
    model,
    http,
    stop: async () => {
      clearInterval(pruneTimer);
      await subscriber.stop();
      await http.app.close();
      store.close();
    },
  };
}
