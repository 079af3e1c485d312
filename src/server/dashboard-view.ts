/**
 * Builds the whole page's view (`DashboardView`): the live snapshot through the adapter, plus
 * the shift's timeline, downtime and alerts from the local history, so a page opened (or an
 * agent restarted) mid-shift shows the shift so far.
 */
import type { LinesideConfig } from '../config/schema.js';
import type { AppDeps } from './deps.js';
import { downsampleSpans } from './downsample.js';
import {
  adaptSnapshot,
  alertFromEvent,
  alertFromRecord,
  deviceView,
  downtimeFromRecord,
  reasonLabel,
  type ViewContext,
} from './view-build.js';
import {
  PROTOCOL_VERSION,
  type AlertView,
  type DashboardView,
  type DowntimeView,
  type LineView,
  type SpanView,
  type StationView,
} from './view-model.js';

/** Without a shift calendar the page shows the last 8 hours. */
export const NO_SHIFT_WINDOW_MS = 8 * 3600_000;
/** Spans per station in a snapshot: one per pixel of a full-HD-wide Gantt. */
export const SNAPSHOT_TIMELINE_POINTS = 1920;
const DOWNTIME_LIMIT = 200;

type Sources = Pick<AppDeps, 'live' | 'history' | 'health' | 'alerts'>;

/** The period the page covers: the earliest current shift of any line, else the last 8 h. */
export function pageWindow(lines: readonly LineView[], nowMs: number): { from: number; to: number } {
  const shifts = lines.map((l) => l.shift).filter((s): s is NonNullable<LineView['shift']> => s !== undefined);
  if (shifts.length === 0) return { from: nowMs - NO_SHIFT_WINDOW_MS, to: nowMs };
  return { from: Math.min(...shifts.map((s) => s.start)), to: Math.max(...shifts.map((s) => s.end)) };
}

/** History's spans, made to end in the live state (history may lag the core by one write batch). */
function timelineOf(station: StationView, history: Sources['history'], from: number, nowMs: number): SpanView[] {
  const spans = history.timeline(station.id, from, nowMs);
  const last = spans[spans.length - 1];
  if (last === undefined || last.state !== station.state || last.to !== undefined) {
    const since = Math.max(station.since, from);
    const kept = spans
      .filter((s) => s.from < since)
      .map((s) => (s.to === undefined || s.to > since ? { ...s, to: since } : s));
    kept.push({
      state: station.state,
      from: since,
      ...(station.reason !== undefined ? { reason: station.reason } : {}),
    });
    return downsampleSpans(kept, from, nowMs, SNAPSHOT_TIMELINE_POINTS);
  }
  return downsampleSpans(spans, from, nowMs, SNAPSHOT_TIMELINE_POINTS);
}

function downtimeOf(
  stations: readonly StationView[],
  history: Sources['history'],
  ctx: ViewContext,
  from: number,
  nowMs: number,
): DowntimeView[] {
  const byId = new Map<string, DowntimeView>();
  for (const r of history.downtime({ from, to: nowMs, limit: DOWNTIME_LIMIT }))
    byId.set(r.id, downtimeFromRecord(r, ctx));
  for (const s of stations) {
    const d = s.openDowntime;
    if (d === undefined) continue;
    const known = byId.get(d.id);
    byId.set(d.id, {
      ...(known ?? {}),
      id: d.id,
      line: s.line,
      station: s.id,
      start: d.start,
      reason: d.reason,
      reasonLabel: reasonLabel(d.reason, ctx),
      category: d.category,
      ...(d.faultCode !== undefined ? { faultCode: d.faultCode } : {}),
    });
  }
  return [...byId.values()].sort((a, b) => b.start - a.start);
}

export function alertsOf(sources: Sources, since: number): AlertView[] {
  const byId = new Map<string, AlertView>();
  for (const r of sources.history.alerts(since)) byId.set(r.alertId, alertFromRecord(r));
  for (const e of sources.alerts?.list() ?? []) {
    const known = byId.get(e.alertId);
    if (known === undefined || known.ts <= e.ts) byId.set(e.alertId, alertFromEvent(e));
  }
  return [...byId.values()].sort((a, b) => b.ts - a.ts);
}

export function buildDashboardView(
  config: Readonly<LinesideConfig>,
  sources: Sources,
  ctx: ViewContext,
  seq: number,
  nowMs: number,
  operatorEnabled: boolean,
): DashboardView {
  const { lines, stations } = adaptSnapshot(sources.live.snapshot(), ctx);
  const window = pageWindow(lines, nowMs);
  const timeline: Record<string, SpanView[]> = {};
  for (const s of stations) timeline[s.id] = timelineOf(s, sources.history, window.from, nowMs);
  return {
    protocol: PROTOCOL_VERSION,
    at: nowMs,
    seq,
    site: {
      enterprise: config.site.enterprise,
      site: config.site.site,
      ...(config.site.area !== undefined ? { area: config.site.area } : {}),
    },
    timezone: config.shifts.timezone,
    reasons: [...ctx.reasons.values()],
    products: [...ctx.products.values()],
    scrapReasons: ctx.scrapReasons,
    operatorEnabled,
    window,
    lines,
    stations,
    timeline,
    downtime: downtimeOf(stations, sources.history, ctx, window.from, nowMs),
    alerts: alertsOf(sources, window.from),
    devices: sources.health.sources().map(deviceView),
  };
}
