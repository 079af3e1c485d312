/**
 * Report by exception for tag values: the JSON of the last value sent of every tag (optimistic,
 * so an unchanged value is not sent again) and of the last one the broker acknowledged, which is
 * what a new connection starts from (a value sent but never acknowledged is sent again).
 */
export class SentValues {
  private sent = new Map<string, string>();
  private readonly confirmed = new Map<string, string>();

  /** The tag's value is the one sent last (it is retained already). */
  unchanged(tag: string, value: unknown): boolean {
    return this.sent.get(tag) === JSON.stringify(value);
  }

  /** The value is being sent; returns its key for `confirm`. */
  sending(tag: string, value: unknown): string {
    const key = JSON.stringify(value);
    this.sent.set(tag, key);
    return key;
  }

  /** The broker acknowledged the value of `key`. */
  confirm(tag: string, key: string): void {
    this.confirmed.set(tag, key);
  }

  /** A new connection: forget what was sent but not acknowledged. */
  reconnected(): void {
    this.sent = new Map(this.confirmed);
  }
}
