/**
 * The sends a spooled-output runner has started and not yet settled, oldest first. A destination
 * that pipelines (MQTT: the next batch is published while the broker still acknowledges the last)
 * has several; the others one at most. Sends settle in any order, but the runner takes them in
 * the order they were started, so the spool is released in order.
 */
export type SendOutcome =
  | { readonly ok: true; readonly refused: number }
  | { readonly ok: false; readonly error: unknown };

export interface Send {
  /** Items of the pending batch this send carries (the next ones after the sends before it). */
  readonly count: number;
  /** Items delivered so far, as the destination reported them. */
  delivered: number;
  outcome?: SendOutcome;
}

export class SendsInFlight {
  private readonly sends: Send[] = [];
  /** Items handed to the sends in flight (the front of the pending batch). */
  items = 0;

  get size(): number {
    return this.sends.length;
  }

  get head(): Send | undefined {
    return this.sends[0];
  }

  /** A send of the next `count` items; `settled` is called once with its outcome. */
  add(count: number): Send {
    const send: Send = { count, delivered: 0 };
    this.sends.push(send);
    this.items += count;
    return send;
  }

  /** The head settled and was taken. */
  shift(): Send | undefined {
    const send = this.sends.shift();
    if (send !== undefined) this.items -= send.count;
    return send;
  }

  /** Resolves once every send in flight has settled. */
  async allSettled(wait: () => Promise<void>): Promise<void> {
    while (this.sends.some((s) => s.outcome === undefined)) await wait();
  }

  /** After a failure: nothing is in flight any more (what was delivered was taken already). */
  clear(): void {
    this.sends.length = 0;
    this.items = 0;
  }
}
