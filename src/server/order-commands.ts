/**
 * Order commands that arrive as MQTT messages (docs/mqtt.md#commands): the same start, resume
 * and stop as the REST routes, the same role check (permission runOrders), the same coded
 * answers. A message carries the API token of the user it acts for: a broker's ACLs say who may
 * publish, not who is acting. Transport-free: src/agent/mqtt-commands.ts feeds it bytes and
 * publishes the answer.
 */
import { z } from 'zod';
import type { ActionBy } from '../core/events.js';
import type { OrderView } from '../core/line-orders.js';
import { can } from '../users/roles.js';
import type { CommandsPort } from './deps.js';
import type { ApiErrorCode } from './http-errors.js';
import { OrderBody } from './params.js';
import { actionBy, type Principal } from './principal.js';

/** What a message may hold: the order fields of the REST body, plus the action, the token and a request id. */
const OrderCommand = z.discriminatedUnion('action', [
  OrderBody.omit({ by: true }).extend({
    action: z.literal('start'),
    token: z.string().min(1).max(512),
    requestId: z.string().max(128).optional(),
  }),
  z.strictObject({
    action: z.literal('stop'),
    token: z.string().min(1).max(512),
    requestId: z.string().max(128).optional(),
    note: z.string().max(500).optional(),
  }),
]);

export interface OrderCommandDeps {
  /** Who a token is, if anyone (src/server/auth.ts tokenPrincipal). */
  readonly principalOf: (token: string) => Principal | undefined;
  readonly commands: Pick<CommandsPort, 'startOrder' | 'stopOrder'>;
}

/** The answer published back: `requestId` echoes the command's. */
export type OrderCommandReply =
  | {
      readonly requestId?: string;
      readonly ok: true;
      readonly action: 'start' | 'stop';
      readonly order: OrderView;
      readonly by: ActionBy;
    }
  | { readonly requestId?: string; readonly ok: false; readonly code: ApiErrorCode; readonly message: string };

/** Bytes bigger than this are refused unread (a command is a few hundred bytes). */
export const MAX_COMMAND_BYTES = 4096;

export async function handleOrderCommand(
  line: string,
  payload: Buffer,
  deps: OrderCommandDeps,
): Promise<{ reply: OrderCommandReply; principal?: Principal }> {
  if (payload.length > MAX_COMMAND_BYTES)
    return {
      reply: refuse(undefined, 'BAD_REQUEST', `the command is ${payload.length} bytes; at most ${MAX_COMMAND_BYTES}`),
    };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { reply: refuse(undefined, 'BAD_REQUEST', 'the command is not JSON') };
  }
  const requestId = requestIdOf(json);
  const parsed = OrderCommand.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue !== undefined && issue.path.length > 0 ? issue.path.join('.') : 'command';
    return { reply: refuse(requestId, 'BAD_REQUEST', `${where}: ${issue?.message ?? 'invalid'}`) };
  }
  const cmd = parsed.data;
  const principal = deps.principalOf(cmd.token);
  if (principal === undefined) return { reply: refuse(requestId, 'UNAUTHORIZED', 'the token is no user’s API token') };
  if (!can(principal.role, 'runOrders'))
    return {
      reply: refuse(
        requestId,
        'FORBIDDEN',
        `${principal.user} (${principal.role}) may not start or stop orders: operator, supervisor or engineer may`,
      ),
      principal,
    };
  const by = actionBy(principal, undefined, cmd.note);
  const result =
    cmd.action === 'start'
      ? await deps.commands.startOrder(
          line,
          {
            id: cmd.id,
            ...(cmd.product !== undefined ? { product: cmd.product } : {}),
            ...(cmd.quantity !== undefined ? { quantity: cmd.quantity } : {}),
            ...(cmd.due !== undefined ? { due: Date.parse(cmd.due) } : {}),
          },
          by,
        )
      : await deps.commands.stopOrder(line, by);
  if (!result.ok) return { reply: refuse(requestId, result.code, result.message), principal };
  return {
    reply: { ...(requestId !== undefined ? { requestId } : {}), ok: true, action: cmd.action, order: result.order, by },
    principal,
  };
}

function refuse(requestId: string | undefined, code: ApiErrorCode, message: string): OrderCommandReply {
  return { ...(requestId !== undefined ? { requestId } : {}), ok: false, code, message };
}

/** The request id of a command that is otherwise malformed, so the sender can still match the refusal. */
function requestIdOf(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const id = (json as Record<string, unknown>)['requestId'];
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
