/**
 * `GET /metrics` of the plant server, Prometheus text format 0.0.4: the plant's and each line's
 * figures, the MQTT subscription and the history. Families keep their samples together.
 */
import type { HubStats } from '../server/ws-hub.js';
import type { ModelStats } from './model.js';
import type { StoreHealth } from './store.js';
import type { SubscriberHealth } from './subscriber.js';
import type { PlantView } from './view.js';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderPlantMetrics(
  view: PlantView,
  stats: ModelStats,
  mqtt: SubscriberHealth,
  history: StoreHealth,
  hub: HubStats,
): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[string, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
  };
  const lineLabels = (site: string, line: string) => `{site="${escapeLabel(site)}",line="${escapeLabel(line)}"}`;
  const p = view.plant;
  family('lineside_plant_oee_ratio', 'gauge', 'Plant OEE of the current shifts, from summed ledgers (0..1).', [
    ['', p.oee.oee],
  ]);
  family('lineside_plant_teep_ratio', 'gauge', 'Plant TEEP of the current shifts (0..1).', [['', p.teep]]);
  // Prometheus wants base units: the page's hours lost, in seconds.
  family('lineside_plant_lost_seconds', 'gauge', 'Time lost in the current shifts, all lines (hours lost x 3600).', [
    ['', p.hoursLost * 3600],
  ]);
  family('lineside_plant_lines', 'gauge', 'Lines known to the plant server.', [['', p.linesTotal]]);
  family('lineside_plant_lines_online', 'gauge', 'Lines whose agent is online.', [['', p.linesOnline]]);
  const withOee = view.lines.filter((l) => l.oee !== null);
  family(
    'lineside_plant_line_oee_ratio',
    'gauge',
    "A line's OEE in its current shift (0..1).",
    withOee.map((l) => [lineLabels(l.site, l.line), l.oee?.oee ?? 0]),
  );
  family(
    'lineside_plant_line_online',
    'gauge',
    "1 when the line's agent is online.",
    view.lines.map((l) => [lineLabels(l.site, l.line), l.online ? 1 : 0]),
  );
  family('lineside_plant_mqtt_connected', 'gauge', '1 while connected to the broker.', [['', mqtt.connected ? 1 : 0]]);
  family('lineside_plant_mqtt_messages_total', 'counter', 'MQTT messages received.', [['', stats.messages]]);
  family('lineside_plant_mqtt_bad_messages_total', 'counter', 'Messages refused as invalid.', [['', stats.bad]]);
  family('lineside_plant_history_errors_total', 'counter', 'Failed writes to the ledger history.', [
    ['', history.errors],
  ]);
  family('lineside_plant_ws_clients', 'gauge', 'Plant page websocket clients.', [['', hub.clients]]);
  return `${out.join('\n')}\n`;
}
