import { z } from 'zod';
import { Logging, Server, Tls } from './schema-outputs.js';
import { duration, Id, secretFields } from './schema-primitives.js';

/**
 * The plant server's configuration (`lineside plant -c plant.yaml`, docs/plant.md): one MQTT
 * subscriber for every line agent of a plant, no sources and no core. The single source of truth
 * for its types, validation, defaults and config/plant.schema.json, like schema.ts is the agent's.
 *
 * A file is a plant file when its top level has `kind: plant` or a `sites:` key (an agent's
 * config has `site:`, never `sites:`): see `isPlantConfigValue`.
 */

export const PlantMqtt = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?):\/\//, 'expected a broker URL: mqtt://, mqtts://, ws:// or wss://')
    .describe('the broker every line agent publishes to (the plant has no embedded broker)'),
  username: z.string().optional(),
  ...secretFields('password'),
  tls: Tls.optional(),
  topicRoot: Id.optional().describe("the agents' first topic level (their mqtt.topicRoot); default: enterprise"),
  clientId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('stable client id for the persistent session; default: lineside-plant-<first site>'),
  protocolVersion: z
    .union([z.literal(4), z.literal(5)])
    .default(5)
    .describe('4 = MQTT 3.1.1, 5 = MQTT 5'),
  reconnectMin: duration('10ms', '10m', 'first reconnect delay; 10ms to 10m').prefault('1s'),
  reconnectMax: duration('10ms', '1h', 'cap of the reconnect backoff, at least reconnectMin; at most 1h').prefault(
    '30s',
  ),
});

/** A link from a line's tile to that line's own agent dashboard. */
export const PlantLineLink = z.strictObject({
  site: Id,
  line: Id,
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL of the agent dashboard')
    .describe("the line agent's dashboard, e.g. http://line1-pi:8080/ (a click on the tile opens it)"),
});

export const PlantConfigSchema = z
  .strictObject({
    kind: z.literal('plant').optional().describe('marks a plant server file (a top-level sites: key does too)'),
    plant: z
      .strictObject({
        name: z.string().min(1).max(100).optional().describe('shown at the top of the plant page'),
        timezone: z
          .string()
          .default('UTC')
          .refine(
            (tz) => {
              try {
                new Intl.DateTimeFormat('en-US', { timeZone: tz });
                return true;
              } catch {
                return false;
              }
            },
            { message: 'unknown IANA time zone (e.g. "Europe/Berlin", "America/Chicago", "UTC")' },
          )
          .describe("IANA time zone the page shows times in (the agents' shifts.timezone), whatever the browser's"),
      })
      .prefault({}),
    enterprise: Id.optional().describe(
      "the agents' site.enterprise: the first topic level unless mqtt.topicRoot is set",
    ),
    sites: z
      .union([z.literal('+'), z.array(Id).min(1)])
      .describe('site ids whose lines to show (the agents\' site.site), or "+" for every site under the root'),
    mqtt: PlantMqtt,
    server: Server.pick({ host: true, port: true, allowedOrigins: true }).prefault({}),
    storage: z
      .strictObject({
        dir: z.string().default('./data-plant').describe('the ledger history (plant.db) lives here'),
      })
      .prefault({}),
    history: z
      .strictObject({
        days: z.number().int().min(1).max(3650).default(14).describe('shift ledgers kept, days'),
      })
      .prefault({}),
    lines: z
      .array(PlantLineLink)
      .default([])
      .describe("links to each line agent's own dashboard; lines appear on the page whether listed or not"),
    logging: Logging.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.enterprise === undefined && config.mqtt.topicRoot === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['enterprise'],
        message: "required (the agents' site.enterprise) unless mqtt.topicRoot is set",
      });
    if (config.mqtt.reconnectMax < config.mqtt.reconnectMin)
      ctx.addIssue({ code: 'custom', path: ['mqtt', 'reconnectMax'], message: 'must be at least mqtt.reconnectMin' });
    const seen = new Set<string>();
    config.lines.forEach((link, i) => {
      const key = `${link.site}/${link.line}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['lines', i], message: `line ${key} is listed twice` });
      seen.add(key);
    });
  })
  .describe('Lineside plant server configuration');

export type PlantConfig = z.output<typeof PlantConfigSchema>;

/** The topic root the agents publish under: `mqtt.topicRoot`, else `enterprise`, as an agent derives it. */
export function plantTopicRoot(config: PlantConfig): string {
  // The schema refuses a config with neither.
  return config.mqtt.topicRoot ?? config.enterprise ?? '';
}

/** The MQTT client id: a fixed one, so the broker keeps the session while the plant server restarts. */
export function plantClientId(config: PlantConfig): string {
  if (config.mqtt.clientId !== undefined) return config.mqtt.clientId;
  const first = config.sites === '+' ? 'all' : (config.sites[0] ?? 'all');
  return `lineside-plant-${first}`;
}

/** Whether a parsed YAML top level is a plant server file rather than an agent's config. */
export function isPlantConfigValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const top = value as Record<string, unknown>;
  return top.kind === 'plant' || Object.hasOwn(top, 'sites');
}
