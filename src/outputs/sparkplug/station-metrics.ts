/**
 * What each station (a Sparkplug device) publishes, and how the core's events change it (pure).
 * The list is fixed per session: a DBIRTH names every metric the device will ever send, with its
 * datatype and alias (docs/sparkplug.md lists them).
 */
import type { CoreEvent } from '../../core/events.js';
import type { DataTypeName } from './datatypes.js';
import type { MetricValue, Property } from './payload.js';

export interface MetricDef {
  readonly name: string;
  readonly type: DataTypeName;
  /** Sent with the metric in births (a condition signal's unit and limits). */
  readonly properties?: Readonly<Record<string, Property>>;
}

/** Device metrics in birth order; a metric's alias is its station's base plus its index + 1. */
export const STATION_METRICS: readonly MetricDef[] = [
  { name: 'State', type: 'String' },
  { name: 'Production/Total', type: 'UInt64' },
  { name: 'Production/Good', type: 'UInt64' },
  { name: 'Production/Reject', type: 'UInt64' },
  { name: 'Cycle/Last Time ms', type: 'Double' },
  { name: 'OEE/Availability', type: 'Double' },
  { name: 'OEE/Performance', type: 'Double' },
  { name: 'OEE/Quality', type: 'Double' },
  { name: 'OEE/OEE', type: 'Double' },
  { name: 'OEE/Shift', type: 'String' },
  { name: 'Downtime/Reason', type: 'String' },
  { name: 'Alerts/Open', type: 'Int32' },
  { name: 'Production/Product', type: 'String' },
];

/** A station's current values, by metric name; null until the first event says. */
export type StationValues = Record<string, MetricValue>;

/** What an event changes, as metric name -> new value (the caller keeps only real changes). */
export function changesOf(event: CoreEvent, values: StationValues, openAlerts: Set<string>): StationValues {
  switch (event.type) {
    case 'state':
      return { State: event.state };
    case 'cycle': {
      // Counts are the shift's: a cycle of a new shift starts them again (its OEE event confirms).
      const sameShift =
        event.shift === undefined || values['OEE/Shift'] === null || values['OEE/Shift'] === event.shift;
      const base = (name: string) => (sameShift ? Number(values[name] ?? 0) : 0);
      return {
        'Production/Total': base('Production/Total') + 1,
        'Production/Good': base('Production/Good') + (event.good ? 1 : 0),
        'Production/Reject': base('Production/Reject') + (event.good ? 0 : 1),
        // A cycle without a time (the first after a start or a gap) leaves the last one standing.
        ...(event.cycleTimeMs !== undefined
          ? { 'Cycle/Last Time ms': Math.round(event.cycleTimeMs * 1000) / 1000 }
          : {}),
        ...(event.shift !== undefined ? { 'OEE/Shift': event.shift } : {}),
      };
    }
    case 'oee': {
      if (event.window.kind !== 'shift') return {};
      const f = event.figures;
      return {
        'OEE/Availability': f.availability,
        'OEE/Performance': f.performance,
        'OEE/Quality': f.quality,
        'OEE/OEE': f.oee,
        'Production/Total': f.counts.total,
        'Production/Good': f.counts.good,
        'Production/Reject': f.counts.reject,
        ...(event.window.shift !== undefined ? { 'OEE/Shift': event.window.shift } : {}),
      };
    }
    case 'downtime':
      return { 'Downtime/Reason': event.phase === 'ended' ? '' : event.reason };
    case 'alert': {
      if (event.status === 'resolved') openAlerts.delete(event.alertId);
      else openAlerts.add(event.alertId);
      return { 'Alerts/Open': openAlerts.size };
    }
    case 'counter':
      return {};
    case 'product':
      return { 'Production/Product': event.product ?? '' };
    case 'changeover':
      // Its time shows as State "down" with Downtime/Reason "changeover" (or planned stop).
      return {};
    case 'order':
    case 'ledger':
      // Line events: Sparkplug devices are stations (docs/sparkplug.md); orders and the shift
      // ledger are on the UNS.
      return {};
    case 'scrap': {
      // Good parts found bad afterwards: the shift's good count drops, its rejects rise.
      if (values['OEE/Shift'] !== null && event.shift !== undefined && values['OEE/Shift'] !== event.shift) return {};
      return {
        'Production/Good': Math.max(0, Number(values['Production/Good'] ?? 0) - event.count),
        'Production/Reject': Number(values['Production/Reject'] ?? 0) + event.count,
      };
    }
  }
}
