/**
 * The primary host application's STATE (Sparkplug 3.0, 7.3): `spBv1.0/STATE/<primaryHostId>`,
 * retained JSON `{"online": bool, "timestamp": ms}`. An edge node with a primary host births only
 * once the host says online, and on an offline that is not older than what it last heard while
 * born, publishes its NDEATH and reconnects (pure: what a STATE means for the node).
 */
import { NAMESPACE } from './session.js';

export type StateVerdict =
  | { readonly kind: 'online' }
  | { readonly kind: 'offline' }
  | { readonly kind: 'ignore'; readonly why: string };

export class PrimaryHostWatch {
  /** Timestamp of the newest STATE taken into account. */
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(readonly hostId: string) {}

  /** Another server: its STATE messages carry timestamps of their own. */
  reset(): void {
    this.lastTs = Number.NEGATIVE_INFINITY;
  }

  get topic(): string {
    return `${NAMESPACE}/STATE/${this.hostId}`;
  }

  judge(payload: Buffer): StateVerdict {
    let state: { online?: unknown; timestamp?: unknown };
    try {
      state = JSON.parse(payload.toString('utf8')) as typeof state;
    } catch {
      return { kind: 'ignore', why: 'not JSON' };
    }
    if (typeof state !== 'object' || state === null) return { kind: 'ignore', why: 'not a JSON object' };
    if (typeof state.online !== 'boolean' || typeof state.timestamp !== 'number')
      return { kind: 'ignore', why: 'online (boolean) and timestamp (number) are required' };
    // tck-id-host-topic-phid-*: an older STATE (a stale retained one, a late delivery) changes nothing.
    if (state.timestamp < this.lastTs) return { kind: 'ignore', why: 'older than the last STATE' };
    this.lastTs = state.timestamp;
    return { kind: state.online ? 'online' : 'offline' };
  }
}
