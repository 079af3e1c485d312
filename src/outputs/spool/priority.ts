import type { CoreEvent } from '../../core/events.js';
import type { SpoolPriority } from './types.js';

/** Drop priority of an event. Only periodic OEE snapshots and ledgers may be dropped (the next one
 * supersedes them); cycles, states, downtime, alerts and the final OEE and ledger of a shift never are. */
export function eventPriority(event: CoreEvent): SpoolPriority {
  return (event.type === 'oee' || event.type === 'ledger') && !event.final ? 1 : 2;
}

export const SAMPLE_PRIORITY: SpoolPriority = 0;
