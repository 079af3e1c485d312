/**
 * The plant model: what the broker said about every line, and the plant view built from it.
 * Pure (no I/O, no clock): the subscriber hands in each message with the time it arrived, the
 * history store hands in the ledgers it kept, and `view()` computes the figures
 * (figures.ts; the summing rule is docs/plant.md#summing).
 *
 * Ledgers are keyed by (site, line, shift start). Per key only the highest `seq` is kept, so a
 * retained copy, a resend and the stored row of the same ledger agree whatever order they come
 * in. A line's current shift is its ledger with the newest start; older ones are history.
 */
import type { PlantLineLink } from '../config/plant-schema.js';
import type { z } from 'zod';
import {
  elapsedMs,
  hoursLost,
  ratiosOf,
  sumTotals,
  teepOf,
  topLoss,
  totalsOf,
  worstStation,
  type Totals,
} from './figures.js';
import {
  Ledger,
  LineOee,
  MAX_PAYLOAD_BYTES,
  parseJson,
  parseStatus,
  StationState,
  type Ledger as LedgerT,
  type LineOee as LineOeeT,
  type StationState as StationStateT,
} from './messages.js';
import { parseTopic } from './topics.js';
import type { PlantLineView, PlantView } from './view.js';

export interface PlantModelOptions {
  readonly root: string;
  readonly sites: '+' | readonly string[];
  readonly name?: string;
  /** IANA zone for the page's times (default UTC). */
  readonly timezone?: string;
  readonly links?: readonly z.output<typeof PlantLineLink>[];
}

export type IngestResult =
  /** A ledger newer than what was kept for its (site, line, start): store it. `current`: it is the line's current shift. */
  | {
      readonly kind: 'ledger';
      readonly site: string;
      readonly line: string;
      readonly ledger: LedgerT;
      readonly current: boolean;
    }
  /**
   * An agent's status changed (`status` null: cleared by an empty retained message): store it,
   * so "offline since" survives a restart of the plant server.
   */
  | {
      readonly kind: 'status';
      readonly site: string;
      readonly agentId: string;
      readonly status: 'online' | 'offline' | null;
      readonly sinceMs: number;
    }
  /** State, oee or a bridge notification taken (or cleared by an empty retained message). */
  | { readonly kind: 'state' | 'oee' | 'bridge' }
  /** Valid, but nothing changed: an older or repeated ledger seq, a repeated status. */
  | { readonly kind: 'duplicate' }
  /** Not a topic of the plant view (another site, another kind of message). */
  | { readonly kind: 'ignored' }
  /** Refused: the reason names what was wrong. Nothing of it was taken. */
  | { readonly kind: 'bad'; readonly reason: string };

interface LineRecord {
  readonly site: string;
  readonly line: string;
  /** The ledger of the newest shift. */
  current?: LedgerT;
  /** Highest seq seen per shift start, so an older copy never overwrites a newer one. */
  readonly seqByStart: Map<number, number>;
  oee?: LineOeeT;
  readonly states: Map<string, StationStateT>;
}

interface AgentStatus {
  readonly status: 'online' | 'offline';
  readonly sinceMs: number;
}

export interface ModelStats {
  readonly messages: number;
  readonly bad: number;
  readonly ledgers: number;
  readonly duplicates: number;
}

const key = (site: string, line: string) => `${site}/${line}`;

/**
 * Bounds of what one broker can make the model hold: a publisher inventing line, station or
 * agent ids by the thousand is refused (counted as bad messages), not remembered.
 */
export const MAX_LINES = 1_000;
export const MAX_STATIONS_PER_LINE = 200;
export const MAX_AGENTS = 2_000;

export class PlantModel {
  private readonly lines = new Map<string, LineRecord>();
  private readonly agents = new Map<string, AgentStatus>();
  /**
   * Bridges reported down ("0") by their notification topic, and since when: the line's Pi is gone
   * even though its agent's status (published on the Pi's own broker) never turned offline.
   */
  private readonly bridgesDown = new Map<string, number>();
  private readonly links = new Map<string, string>();
  private counts = { messages: 0, bad: 0, ledgers: 0, duplicates: 0 };
  /** Bumped on every change the view shows, so a feed knows when to send. */
  private revision = 0;

  constructor(private readonly options: PlantModelOptions) {
    for (const link of options.links ?? []) this.links.set(key(link.site, link.line), link.url);
  }

  get version(): number {
    return this.revision;
  }

  stats(): ModelStats {
    return { ...this.counts };
  }

  /** Takes one MQTT message; `receivedAtMs` dates a status ("offline since"). Never throws. */
  ingest(topic: string, payload: Uint8Array | string, receivedAtMs: number): IngestResult {
    this.counts.messages++;
    const result = this.take(topic, payload, receivedAtMs);
    if (result.kind === 'bad') this.counts.bad++;
    else if (result.kind === 'duplicate') this.counts.duplicates++;
    else if (result.kind !== 'ignored') this.revision++;
    if (result.kind === 'ledger') this.counts.ledgers++;
    return result;
  }

  /**
   * An agent's status from the history store (at start-up), with when it began: the retained copy
   * that follows from the broker is the same status and keeps this `sinceMs`.
   */
  restoreStatus(site: string, agentId: string, status: 'online' | 'offline', sinceMs: number): void {
    const k = key(site, agentId);
    if (!this.agents.has(k) && this.agents.size >= MAX_AGENTS) return;
    this.agents.set(k, { status, sinceMs });
    this.revision++;
  }

  /** A ledger from the history store (at start-up): the same rules as one from the broker. */
  restoreLedger(site: string, line: string, ledger: LedgerT): void {
    if (this.takeLedger(site, line, ledger).kind === 'ledger') this.revision++;
  }

  private take(topic: string, payload: Uint8Array | string, receivedAtMs: number): IngestResult {
    const where = parseTopic(topic, this.options.root, this.options.sites);
    if (where === undefined) return { kind: 'ignored' };
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > MAX_PAYLOAD_BYTES)
      return { kind: 'bad', reason: `payload of ${size} bytes is over ${MAX_PAYLOAD_BYTES}` };
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    // An empty retained message clears the topic on the broker: forget what it held (not for
    // ledgers, whose shifts stay history).
    const cleared = text.length === 0;
    switch (where.kind) {
      case 'status': {
        const k = key(where.site, where.agentId);
        const change = { kind: 'status', site: where.site, agentId: where.agentId, sinceMs: receivedAtMs } as const;
        if (cleared) return this.agents.delete(k) ? { ...change, status: null } : { kind: 'ignored' };
        const parsed = parseStatus(text);
        if (!parsed.ok) return { kind: 'bad', reason: parsed.reason };
        const before = this.agents.get(k);
        if (before?.status === parsed.value) return { kind: 'duplicate' };
        if (before === undefined && this.agents.size >= MAX_AGENTS)
          return { kind: 'bad', reason: `more than ${MAX_AGENTS} agents; ${where.agentId} not taken` };
        this.agents.set(k, { status: parsed.value, sinceMs: receivedAtMs });
        return { ...change, status: parsed.value };
      }
      case 'bridge': {
        const k = key(where.site, where.agentId);
        // Mosquitto's notification: "1" connected, "0" (its last will) disconnected.
        if (!cleared && text !== '0' && text !== '1')
          return {
            kind: 'bad',
            reason: `bridge notification must be "0" or "1"; got ${JSON.stringify(text.slice(0, 40))}`,
          };
        const down = text === '0';
        if (down === this.bridgesDown.has(k)) return { kind: 'duplicate' };
        if (down) {
          if (this.bridgesDown.size >= MAX_AGENTS) return { kind: 'bad', reason: `more than ${MAX_AGENTS} bridges` };
          this.bridgesDown.set(k, receivedAtMs);
        } else this.bridgesDown.delete(k);
        return { kind: 'bridge' };
      }
      case 'state': {
        if (cleared) {
          const known = this.lines.get(key(where.site, where.line));
          return known?.states.delete(where.station) === true ? { kind: 'state' } : { kind: 'ignored' };
        }
        const parsed = parseJson(StationState, text);
        if (!parsed.ok) return { kind: 'bad', reason: parsed.reason };
        const record = this.record(where.site, where.line);
        if (record === undefined) return tooManyLines(where.line);
        if (!record.states.has(where.station) && record.states.size >= MAX_STATIONS_PER_LINE)
          return { kind: 'bad', reason: `more than ${MAX_STATIONS_PER_LINE} stations on line ${where.line}` };
        record.states.set(where.station, parsed.value);
        return { kind: 'state' };
      }
      case 'oee': {
        if (cleared) return { kind: 'ignored' };
        const parsed = parseJson(LineOee, text);
        if (!parsed.ok) return { kind: 'bad', reason: parsed.reason };
        const record = this.record(where.site, where.line);
        if (record === undefined) return tooManyLines(where.line);
        record.oee = parsed.value;
        return { kind: 'oee' };
      }
      case 'ledger': {
        if (cleared) return { kind: 'ignored' };
        const parsed = parseJson(Ledger, text);
        if (!parsed.ok) return { kind: 'bad', reason: parsed.reason };
        return this.takeLedger(where.site, where.line, parsed.value);
      }
    }
  }

  private takeLedger(site: string, line: string, ledger: LedgerT): IngestResult {
    const record = this.record(site, line);
    if (record === undefined) return tooManyLines(line);
    const kept = record.seqByStart.get(ledger.start);
    if (kept !== undefined && ledger.seq <= kept) return { kind: 'duplicate' };
    record.seqByStart.set(ledger.start, ledger.seq);
    const current = record.current === undefined || ledger.start >= record.current.start;
    if (current) record.current = ledger;
    // Only the current shift's seq matters from here on; forget older ones (bounded memory).
    if (current)
      for (const start of record.seqByStart.keys()) if (start < ledger.start) record.seqByStart.delete(start);
    return { kind: 'ledger', site, line, ledger, current };
  }

  /** The line's record, created on first use; undefined when a new line would pass MAX_LINES. */
  private record(site: string, line: string): LineRecord | undefined {
    const k = key(site, line);
    let record = this.lines.get(k);
    if (record === undefined) {
      if (this.lines.size >= MAX_LINES) return undefined;
      record = { site, line, seqByStart: new Map(), states: new Map() };
      this.lines.set(k, record);
    }
    return record;
  }

  view(): PlantView {
    const lines = [...this.lines.values()].map((r) => this.lineView(r));
    lines.sort(
      (a, b) =>
        (b.hoursLost ?? -1) - (a.hoursLost ?? -1) || a.site.localeCompare(b.site) || a.line.localeCompare(b.line),
    );
    const ledgers = [...this.lines.values()].flatMap((r) => (r.current === undefined ? [] : [r.current]));
    const totals: Totals = sumTotals(ledgers.map((l) => totalsOf(l.line)));
    const elapsed = ledgers.reduce((sum, l) => sum + elapsedMs(l), 0);
    const withTarget = ledgers.filter((l) => l.line.target !== undefined);
    const allTargets = ledgers.length > 0 && withTarget.length === ledgers.length;
    const withBehind = ledgers.filter((l) => l.line.behindBy !== undefined);
    return {
      plant: {
        ...(this.options.name === undefined ? {} : { name: this.options.name }),
        timezone: this.options.timezone ?? 'UTC',
        oee: ratiosOf(totals),
        teep: teepOf(totals, elapsed),
        plannedMs: totals.plannedMs,
        runMs: totals.runMs,
        idealMs: totals.idealMs,
        elapsedMs: elapsed,
        good: totals.good,
        total: totals.total,
        target: allTargets ? withTarget.reduce((s, l) => s + (l.line.target ?? 0), 0) : null,
        behindBy:
          ledgers.length > 0 && withBehind.length === ledgers.length
            ? withBehind.reduce((s, l) => s + (l.line.behindBy ?? 0), 0)
            : null,
        hoursLost: hoursLost(totals),
        linesInFigures: ledgers.length,
        linesOnline: lines.filter((l) => l.online).length,
        linesTotal: lines.length,
      },
      lines,
    };
  }

  private lineView(r: LineRecord): PlantLineView {
    const ledger = r.current;
    const agentId = ledger?.agentId ?? null;
    const agent = agentId === null ? undefined : this.agents.get(key(r.site, agentId));
    const bridgeDownSince = agentId === null ? undefined : this.bridgesDown.get(key(r.site, agentId));
    const url = this.links.get(key(r.site, r.line));
    const stationsDown = [...r.states].filter(([, s]) => s.state === 'down').map(([station]) => station);
    const common = {
      site: r.site,
      line: r.line,
      agentId,
      online: agent?.status === 'online' && bridgeDownSince === undefined,
      status: bridgeDownSince !== undefined ? 'offline' : (agent?.status ?? 'unknown'),
      statusSince: bridgeDownSince ?? agent?.sinceMs ?? null,
      stationsDown,
      ...(url === undefined ? {} : { url }),
    } as const;
    if (ledger !== undefined) {
      const totals = totalsOf(ledger.line);
      const worst = worstStation(ledger.stations, (station) => r.states.get(station)?.state === 'down');
      const loss = topLoss(ledger.stations);
      return {
        ...common,
        source: 'ledger',
        shift: ledger.shift,
        shiftStart: ledger.start,
        shiftEnd: ledger.end,
        final: ledger.final,
        asOf: ledger.ts,
        oee: ratiosOf(totals),
        plannedMs: totals.plannedMs,
        good: totals.good,
        total: totals.total,
        target: ledger.line.target ?? null,
        behindBy: ledger.line.behindBy ?? null,
        worstStation: worst?.station ?? null,
        worstStationLostMs: worst?.lostMs ?? null,
        topLoss: loss ?? null,
        hoursLost: hoursLost(totals),
      };
    }
    const oee = r.oee;
    return {
      ...common,
      source: oee === undefined ? 'none' : 'oee',
      shift: oee?.shift ?? null,
      shiftStart: null,
      shiftEnd: null,
      final: false,
      asOf: oee?.ts ?? null,
      oee:
        oee === undefined
          ? null
          : { availability: oee.availability, performance: oee.performance, quality: oee.quality, oee: oee.oee },
      plannedMs: null,
      good: oee?.counts.good ?? null,
      total: oee?.counts.total ?? null,
      target: oee?.target ?? null,
      behindBy: oee?.behindBy ?? null,
      worstStation: null,
      worstStationLostMs: null,
      topLoss: null,
      hoursLost: null,
    };
  }
}

function tooManyLines(line: string): IngestResult {
  return { kind: 'bad', reason: `more than ${MAX_LINES} lines; line ${line} not taken` };
}
