/**
 * Production orders (docs/oee.md#orders): per line, at most one running order, counted at the
 * line's output station from the moment it starts. An order completes by itself when its good
 * parts reach the quantity (the part that does it is the last one counted); it can be stopped
 * and resumed, and its counts go on where they were. The recently stopped and completed orders
 * are kept (a stopped one can be resumed; a completed one is not started again). Every change is
 * an `order` event; while an order runs, a `progress` event goes out every oeeInterval with the
 * forecast of its completion.
 */
import type { LineSpec } from './bindings.js';
import type { ShiftCalendar } from './calendar.js';
import type { OrderCheckpoint, ParsedCheckpoint } from './checkpoint.js';
import type { ActionBy, CycleEvent, OrderEvent, OrderForecast, ScrapEvent } from './events.js';
import { rollingView } from './figures.js';
import type { LineSeqs } from './line-seqs.js';
import { orderForecast } from './order-forecast.js';
import type { Station } from './station.js';

/** What starts an order: from the dashboard, REST or the MQTT command topic. */
export interface OrderSpec {
  readonly id: string;
  readonly product?: string;
  /** Needed to start a new order; may be left out to resume a stopped one. */
  readonly quantity?: number;
  /** Wall ms. */
  readonly due?: number;
}

/** An order as the snapshot and the API show it. */
export interface OrderView {
  readonly id: string;
  readonly product?: string;
  readonly quantity: number;
  readonly due?: number;
  readonly good: number;
  readonly reject: number;
  readonly remaining: number;
  readonly status: OrderCheckpoint['status'];
  readonly start: number;
  readonly end?: number;
  readonly forecast?: OrderForecast;
}

export type OrderErrorCode =
  | 'NOT_FOUND'
  | 'NO_ORDER'
  | 'INVALID_ORDER'
  | 'ORDER_RUNNING'
  | 'ORDER_CONFLICT'
  | 'ORDER_COMPLETED';
export type OrderResult = { ok: true; order: OrderView } | { ok: false; code: OrderErrorCode; message: string };

/**
 * Stopped and completed orders kept per line (a stopped one can resume, a completed one is not
 * started twice); few, because the checkpoint goes with every spool commit.
 */
const KEPT_ORDERS = 20;
/** The rolling hour must hold this much production time before its OEE sets the pace. */
const MIN_PACE_BASIS_MS = 10 * 60_000;

type OrderRecord = OrderCheckpoint;

interface LineBook {
  readonly line: LineSpec;
  readonly output: Station;
  running: OrderRecord | undefined;
  /** Stopped and completed orders by id, oldest first. */
  readonly kept: Map<string, OrderRecord>;
}

export interface OrderHost {
  emit(event: OrderEvent): void;
  wallOf(mono: number): number;
}

export class OrderBook {
  private readonly books = new Map<string, LineBook>();
  /** Line book by its output station id, for counting cycles and scrap. */
  private readonly byOutput = new Map<string, LineBook>();

  constructor(
    lines: readonly LineSpec[],
    stations: readonly Station[],
    private readonly seqs: LineSeqs,
    private readonly calendar: ShiftCalendar,
    private readonly host: OrderHost,
    restored: ParsedCheckpoint | undefined,
  ) {
    for (const line of lines) {
      const output = stations.find((st) => st.id === line.outputStation) as Station;
      const book: LineBook = { line, output, running: undefined, kept: new Map() };
      for (const data of restored?.lines[line.id]?.orders ?? []) {
        if (data.status === 'running' && book.running === undefined) book.running = { ...data };
        else if (data.status !== 'running') book.kept.set(data.id, { ...data });
      }
      this.books.set(line.id, book);
      this.byOutput.set(output.id, book);
    }
  }

  /** A part counted at some station: the running order of the line it is the output of counts it. */
  onCycle(event: CycleEvent): void {
    const book = this.byOutput.get(event.station);
    const order = book?.running;
    if (book === undefined || order === undefined) return;
    if (event.good) order.good += 1;
    else order.reject += 1;
    if (order.good < order.quantity) return;
    order.status = 'completed';
    order.endWall = event.ts;
    book.running = undefined;
    this.keep(book, order);
    this.emit(book, order, 'completed', event.ts, undefined, undefined);
  }

  /** Good parts of the output station scrapped afterwards: the running order needs that many more. */
  onScrap(event: ScrapEvent): void {
    const order = this.byOutput.get(event.station)?.running;
    if (order === undefined) return;
    const moved = Math.min(event.count, order.good);
    order.good -= moved;
    order.reject += moved;
  }

  start(line: string, spec: OrderSpec, by: ActionBy | undefined, nowMono: number): OrderResult {
    const book = this.books.get(line);
    if (book === undefined) return { ok: false, code: 'NOT_FOUND', message: `no line "${line}"` };
    const running = book.running;
    if (running !== undefined) {
      const message =
        running.id === spec.id
          ? `order "${spec.id}" is already running on line "${line}"`
          : `order "${running.id}" is running on line "${line}"; stop it before starting "${spec.id}"`;
      return { ok: false, code: 'ORDER_RUNNING', message };
    }
    const nowWall = this.host.wallOf(nowMono);
    const earlier = book.kept.get(spec.id);
    if (earlier?.status === 'completed')
      return { ok: false, code: 'ORDER_COMPLETED', message: `order "${spec.id}" was completed on line "${line}"` };
    if (earlier !== undefined) {
      const conflict = conflictOf(earlier, spec);
      if (conflict !== undefined)
        return {
          ok: false,
          code: 'ORDER_CONFLICT',
          message: `order "${spec.id}" was started with ${conflict}; resume it with the same or leave it out`,
        };
      book.kept.delete(spec.id);
      earlier.status = 'running';
      delete earlier.endWall;
      book.running = earlier;
      this.emit(book, earlier, 'resumed', nowWall, nowMono, by);
      return { ok: true, order: this.view(book, earlier, nowMono) };
    }
    if (spec.quantity === undefined)
      return { ok: false, code: 'INVALID_ORDER', message: `order "${spec.id}" is new: it needs a quantity` };
    const order: OrderRecord = {
      id: spec.id,
      ...(spec.product !== undefined ? { product: spec.product } : {}),
      quantity: spec.quantity,
      ...(spec.due !== undefined ? { dueWall: spec.due } : {}),
      good: 0,
      reject: 0,
      status: 'running',
      startWall: nowWall,
    };
    book.running = order;
    this.emit(book, order, 'started', nowWall, nowMono, by);
    return { ok: true, order: this.view(book, order, nowMono) };
  }

  stop(line: string, by: ActionBy | undefined, nowMono: number): OrderResult {
    const book = this.books.get(line);
    if (book === undefined) return { ok: false, code: 'NOT_FOUND', message: `no line "${line}"` };
    const order = book.running;
    if (order === undefined) return { ok: false, code: 'NO_ORDER', message: `no order is running on line "${line}"` };
    const nowWall = this.host.wallOf(nowMono);
    order.status = 'stopped';
    order.endWall = nowWall;
    book.running = undefined;
    this.keep(book, order);
    this.emit(book, order, 'stopped', nowWall, undefined, by);
    return { ok: true, order: this.view(book, order, nowMono) };
  }

  /** Every oeeInterval: the running orders' progress and forecast. */
  progress(nowMono: number): void {
    const nowWall = this.host.wallOf(nowMono);
    for (const book of this.books.values()) {
      if (book.running !== undefined) this.emit(book, book.running, 'progress', nowWall, nowMono, undefined);
    }
  }

  /** The running order of a line, with its forecast, for the snapshot. */
  runningView(line: string, nowMono: number): OrderView | undefined {
    const book = this.books.get(line);
    return book?.running !== undefined ? this.view(book, book.running, nowMono) : undefined;
  }

  /** Each line's orders for the checkpoint: the running one, then the kept ones. */
  capture(line: string): OrderCheckpoint[] {
    const book = this.books.get(line);
    if (book === undefined) return [];
    const list = [...book.kept.values()].map((o) => ({ ...o }));
    if (book.running !== undefined) list.push({ ...book.running });
    return list;
  }

  private keep(book: LineBook, order: OrderRecord): void {
    book.kept.delete(order.id);
    book.kept.set(order.id, order);
    if (book.kept.size > KEPT_ORDERS) {
      const oldest = book.kept.keys().next().value;
      if (oldest !== undefined) book.kept.delete(oldest);
    }
  }

  private view(book: LineBook, order: OrderRecord, nowMono: number): OrderView {
    const forecast = order.status === 'running' ? this.forecast(book, order, nowMono) : undefined;
    return { id: order.id, ...progressOf(order, forecast), status: order.status };
  }

  /**
   * The pace is the order's ideal cycle time at the output station over the line's OEE of the
   * rolling hour (OEE = good parts' ideal time / planned production time), so downtime, slow
   * cycles and rejects of the last hour carry into the forecast, and a product change does not
   * distort it. With too little of the hour behind it, the ideal cycle time is the pace.
   */
  private forecast(book: LineBook, order: OrderRecord, nowMono: number): OrderForecast {
    const st = book.output;
    const now = Math.max(nowMono, st.nowMono);
    const ideal = (order.product !== undefined ? st.spec.idealByProduct.get(order.product) : undefined) ?? st.idealMs;
    const figures = rollingView(st, now, this.host.wallOf).figures;
    const enough = figures.plannedTimeMs >= MIN_PACE_BASIS_MS;
    const paceMs = enough ? (figures.oee > 0 ? ideal / figures.oee : Number.POSITIVE_INFINITY) : ideal;
    return orderForecast(this.calendar, {
      remaining: order.quantity - order.good,
      nowWall: this.host.wallOf(now),
      paceMs,
      basis: enough ? 'rolling-oee' : 'ideal',
      ...(order.dueWall !== undefined ? { due: order.dueWall } : {}),
    });
  }

  private emit(
    book: LineBook,
    order: OrderRecord,
    phase: OrderEvent['phase'],
    ts: number,
    forecastAtMono: number | undefined,
    by: ActionBy | undefined,
  ): void {
    const { id, seq } = this.seqs.next(book.line.id);
    const forecast = forecastAtMono !== undefined ? this.forecast(book, order, forecastAtMono) : undefined;
    this.host.emit({
      type: 'order',
      id,
      line: book.line.id,
      seq,
      ts,
      phase,
      orderId: order.id,
      ...progressOf(order, forecast),
      ...(by !== undefined ? { by } : {}),
    });
  }
}

/** What the snapshot and the events both say of an order: its spec, counts, times and forecast. */
function progressOf(order: OrderRecord, forecast: OrderForecast | undefined) {
  return {
    ...(order.product !== undefined ? { product: order.product } : {}),
    quantity: order.quantity,
    ...(order.dueWall !== undefined ? { due: order.dueWall } : {}),
    good: order.good,
    reject: order.reject,
    remaining: Math.max(0, order.quantity - order.good),
    start: order.startWall,
    ...(order.endWall !== undefined ? { end: order.endWall } : {}),
    ...(forecast !== undefined ? { forecast } : {}),
  };
}

/** What differs between a stopped order and a request to resume it, if anything. */
function conflictOf(earlier: OrderRecord, spec: OrderSpec): string | undefined {
  if (spec.product !== undefined && spec.product !== earlier.product)
    return `product "${earlier.product ?? '(none)'}", not "${spec.product}"`;
  if (spec.quantity !== undefined && spec.quantity !== earlier.quantity)
    return `quantity ${earlier.quantity}, not ${spec.quantity}`;
  return undefined;
}
