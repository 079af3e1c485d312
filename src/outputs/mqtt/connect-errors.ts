/**
 * Turns what mqtt.js reports into coded errors a plant engineer can act on (pure). Refused
 * credentials are MQTT_AUTH naming the broker and the user, never the password; everything else
 * that stops a connection is MQTT_CONNECT.
 */
import { LinesideError } from '../../lib/errors.js';

/** CONNACK codes that mean "these credentials are not accepted". */
const AUTH_CODES_V4 = new Set([4, 5]); // bad user name or password, not authorized
const AUTH_CODES_V5 = new Set([0x86, 0x87, 0x8a, 0x8c]); // bad user/password, not authorized, banned, bad auth method

export interface ConnectContext {
  /** Broker URL without credentials. */
  readonly broker: string;
  readonly user?: string;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
}

function reasonCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function classifyConnectError(err: unknown, ctx: ConnectContext): LinesideError {
  const reasonCode = reasonCodeOf(err);
  const userText = ctx.user === undefined ? 'no user name' : `user "${ctx.user}"`;
  const context = {
    broker: ctx.broker,
    user: ctx.user ?? null,
    clientId: ctx.clientId,
    ...(reasonCode === undefined ? {} : { reasonCode }),
  };
  const authCodes = ctx.protocolVersion === 5 ? AUTH_CODES_V5 : AUTH_CODES_V4;
  if (reasonCode !== undefined && authCodes.has(reasonCode)) {
    return new LinesideError(
      'MQTT_AUTH',
      `broker ${ctx.broker} refused the credentials of ${userText} (${messageOf(err)}); check mqtt.username and mqtt.password / passwordFile. Events keep spooling.`,
      context,
    );
  }
  if (reasonCode !== undefined) {
    return new LinesideError(
      'MQTT_CONNECT',
      `broker ${ctx.broker} refused the connection of client "${ctx.clientId}" (${messageOf(err)})`,
      context,
    );
  }
  const sysCode = (err as { code?: unknown } | null)?.code;
  const what = typeof sysCode === 'string' ? `${sysCode} ${messageOf(err)}` : messageOf(err);
  return new LinesideError('MQTT_CONNECT', `cannot connect to ${ctx.broker}: ${what}`, {
    ...context,
    ...(typeof sysCode === 'string' ? { errno: sysCode } : {}),
  });
}

/**
 * PUBACK reason codes (MQTT 5) that will not change on a retry: the message is counted as
 * rejected and released, so one forbidden topic cannot block every later event.
 */
const PERMANENT_PUBLISH_CODES = new Set([0x87, 0x90, 0x99]); // not authorized, topic name invalid, payload format invalid

export function isPermanentPublishRejection(err: unknown): boolean {
  const code = reasonCodeOf(err);
  return code !== undefined && PERMANENT_PUBLISH_CODES.has(code);
}
