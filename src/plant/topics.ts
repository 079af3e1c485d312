/**
 * The parts of the Unified Namespace (docs/mqtt.md) the plant server reads, and the
 * subscriptions that bring them. Pure.
 */

export type PlantTopic =
  | { readonly kind: 'ledger'; readonly site: string; readonly line: string }
  | { readonly kind: 'oee'; readonly site: string; readonly line: string }
  | { readonly kind: 'state'; readonly site: string; readonly line: string; readonly station: string }
  | { readonly kind: 'status'; readonly site: string; readonly agentId: string }
  /** A Mosquitto bridge's notification for the agent's Pi (deploy/mosquitto/plant-bridge.conf). */
  | { readonly kind: 'bridge'; readonly site: string; readonly agentId: string };

/** `agents` is the level of the agents' status topics, never a line (docs/mqtt.md). */
const AGENTS = 'agents';

/** The topic's meaning, or undefined for a topic the plant view does not use or a site it does not show. */
export function parseTopic(topic: string, root: string, sites: '+' | readonly string[]): PlantTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== root || parts.length < 4) return undefined;
  const site = parts[1] ?? '';
  if (site === '' || (sites !== '+' && !sites.includes(site))) return undefined;
  const [, , a = '', b = '', c] = parts;
  if (parts.length === 5 && a === AGENTS && b !== '' && c === 'status') return { kind: 'status', site, agentId: b };
  if (parts.length === 5 && a === AGENTS && b !== '' && c === 'bridge') return { kind: 'bridge', site, agentId: b };
  if (a === '' || a === AGENTS) return undefined;
  if (parts.length === 4 && b === 'ledger') return { kind: 'ledger', site, line: a };
  if (parts.length === 4 && b === 'oee') return { kind: 'oee', site, line: a };
  if (parts.length === 5 && b !== '' && c === 'state') return { kind: 'state', site, line: a, station: b };
  return undefined;
}

/** What to subscribe to for each shown site ("+" for every site under the root). */
export function plantSubscriptions(root: string, sites: '+' | readonly string[]): string[] {
  const levels = sites === '+' ? ['+'] : [...sites];
  return levels.flatMap((site) => [
    `${root}/${site}/+/ledger`,
    `${root}/${site}/${AGENTS}/+/status`,
    `${root}/${site}/${AGENTS}/+/bridge`,
    `${root}/${site}/+/oee`,
    `${root}/${site}/+/+/state`,
  ]);
}
