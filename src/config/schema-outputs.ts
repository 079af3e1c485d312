import { z } from 'zod';
import { duration, Id, LogLevel, secretFields } from './schema-primitives.js';

export const Tls = z.strictObject({
  ca: z.string().optional().describe('path of the CA certificate (PEM)'),
  cert: z.string().optional().describe('path of the client certificate (PEM)'),
  key: z.string().optional().describe('path of the client key (PEM)'),
  rejectUnauthorized: z.boolean().default(true),
});

export const Mqtt = z.strictObject({
  enabled: z.boolean().default(true),
  url: z
    .string()
    .default('embedded')
    .describe('"embedded" starts a broker inside the agent; else mqtt://, mqtts://, ws://'),
  embedded: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('bind address; 0.0.0.0 to let other machines connect'),
      port: z.number().int().min(0).max(65535).default(1883),
    })
    .prefault({}),
  json: z
    .boolean()
    .default(true)
    .describe('publish the JSON Unified Namespace; false with sparkplug.enabled for a Sparkplug-only node'),
  topicRoot: Id.optional().describe('first topic level; default: site.enterprise'),
  clientId: z.string().optional().describe('stable client id for the persistent session; default: lineside-<agent id>'),
  protocolVersion: z
    .union([z.literal(4), z.literal(5)])
    .default(5)
    .describe('4 = MQTT 3.1.1, 5 = MQTT 5 (the embedded broker speaks 4)'),
  username: z.string().optional(),
  ...secretFields('password'),
  tls: Tls.optional(),
  eventQos: z.union([z.literal(1), z.literal(2)]).default(1),
  commands: z
    .boolean()
    .default(false)
    .describe(
      'accept order commands on {root}/{site}/{line}/order/cmd; each carries the API token of a user allowed to run orders (docs/mqtt.md#commands)',
    ),
  samples: z
    .strictObject({
      publish: z.boolean().default(false).describe('publish raw tag values (report by exception)'),
      qos: z.union([z.literal(0), z.literal(1)]).default(0),
    })
    .prefault({}),
  backlogMessagesPerSecond: z
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('drain rate after an outage; live data keeps flowing'),
  reconnectMin: duration('10ms', '10m', 'first reconnect delay; 10ms to 10m').prefault('1s'),
  reconnectMax: duration('10ms', '1h', 'cap of the reconnect backoff, at least reconnectMin; at most 1h').prefault(
    '30s',
  ),
  sparkplug: z
    .strictObject({
      enabled: z.boolean().default(false).describe('a Sparkplug B 3.0 edge node beside the JSON namespace'),
      groupId: Id.optional().describe('Sparkplug group id; default: site.site'),
      edgeNodeId: Id.optional().describe('Sparkplug edge node id; default: agent.id'),
      historyRate: z
        .number()
        .int()
        .positive()
        .default(500)
        .describe('stored events replayed per second at most after an outage (is_historical)'),
      servers: z
        .array(z.string())
        .min(1)
        .optional()
        .describe(
          'broker URLs to walk, in order, while the primary host is offline on the current one; default: mqtt.url',
        ),
      primaryHostId: Id.optional().describe(
        "the primary host application's id (Ignition: MQTT Engine's); births wait for its STATE online",
      ),
    })
    .prefault({}),
});

export const Influx = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.string().default('http://127.0.0.1:8086').describe('http:// or https://'),
  api: z
    .enum(['v1', 'v2'])
    .default('v1')
    .describe(
      'v1: POST /write?db=&rp= (InfluxDB 1.x, 2.x/3.x through DBRP, QuestDB); v2: POST /api/v2/write?org=&bucket= (needs org, bucket, token)',
    ),
  database: Id.default('lineside').describe("v1 API: the database (InfluxDB 2.x: the db of the bucket's DBRP mapping)"),
  username: z.string().optional(),
  ...secretFields('password'),
  ...secretFields('token'),
  tokenScheme: z
    .enum(['Token', 'Bearer'])
    .default('Token')
    .describe(
      'Authorization scheme for the token: Token (InfluxDB 2.x/3.x) or Bearer (InfluxDB 3, QuestDB Enterprise)',
    ),
  org: z.string().min(1).optional().describe('v2 API: the organization (name) that owns the bucket'),
  bucket: z.string().min(1).optional().describe('v2 API: the bucket to write to'),
  setup: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe(
      'auto: create/check database and retention policy over InfluxQL on InfluxDB 1.x (v1 API without token), skipped otherwise; off: never (QuestDB)',
    ),
  createDatabase: z
    .boolean()
    .default(true)
    .describe('create database and retention policy when missing (needs admin rights)'),
  retentionPolicy: z
    .strictObject({
      name: Id.default('lineside').describe('v1 API: the retention policy (InfluxDB 2.x: the rp of the DBRP mapping)'),
      duration: z.string().default('90d').describe('InfluxQL duration, e.g. 90d or INF'),
    })
    .prefault({}),
  batchSize: z.number().int().min(1).max(50_000).default(5000),
  flushInterval: duration('10ms', '10m', 'a point waits at most this long before it is written; 10ms to 10m').prefault(
    '1s',
  ),
  writeSamples: z.boolean().default(true),
  rejectUnauthorized: z.boolean().default(true),
});

export const Server = z.strictObject({
  enabled: z.boolean().default(true),
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  viewToken: z.string().optional().describe('when set, viewing the dashboard needs this token; unset: open on the LAN'),
  viewTokenFile: z.string().optional(),
  ...secretFields('operatorToken'),
  usersFile: z
    .string()
    .optional()
    .describe(
      'named users and roles (lineside user add NAME --role R); relative to this config file. Log in by name on the dashboard',
    ),
  allowedOrigins: z
    .array(z.string())
    .default([])
    .describe('extra Origins allowed for the websocket; same-origin is always allowed'),
});

export const Storage = z.strictObject({
  dir: z
    .string()
    .default('./data')
    .describe('spool, history and checkpoints live here (/var/lib/lineside when installed)'),
  spoolMaxMB: z
    .number()
    .positive()
    .default(512)
    .describe('past this, the oldest raw samples are dropped (never events)'),
  spoolMaxAge: duration('1h', '365d', 'older unsent raw samples are dropped (never events); 1h to 365d').prefault('7d'),
  historyRetention: duration('1h', '365d', 'local history behind the dashboard; 1h to 365d').prefault('7d'),
  shiftHistoryRetention: duration(
    '1d',
    '3650d',
    "each shift's final OEE, its downtimes and alerts, for the history page's trend and day/week reports; at least historyRetention",
  ).prefault('90d'),
  commitInterval: duration('10ms', '10s', 'batched fsync interval for the spool; 10ms to 10s').prefault('250ms'),
});

export const Webhook = z.strictObject({
  url: z.string().url(),
  ...secretFields('secret'),
  minSeverity: z.enum(['info', 'warning', 'critical']).default('warning'),
});

export const Alerts = z.strictObject({
  enabled: z.boolean().default(true),
  sensitivity: z
    .enum(['low', 'medium', 'high'])
    .default('medium')
    .describe('high warns earlier with more false alarms'),
  webhooks: z.array(Webhook).default([]),
});

export const Logging = z.strictObject({
  level: LogLevel.default('info').describe('overridden by LINESIDE_LOG_LEVEL'),
});

export const Agent = z.strictObject({
  id: Id.default('lineside').describe('unique per agent; used in the status topic and MQTT client id'),
  oeeInterval: duration('1s', '24h', 'how often OEE snapshots are emitted; 1s to 24h').prefault('10s'),
});
