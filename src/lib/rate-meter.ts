/** Messages per second over the last `windowS` seconds, in one-second buckets (pure). */
export class RateMeter {
  private readonly buckets: number[];
  private currentSecond = -1;

  constructor(private readonly windowS = 10) {
    this.buckets = new Array<number>(windowS).fill(0);
  }

  private roll(nowMono: number): void {
    const second = Math.floor(nowMono / 1000);
    if (this.currentSecond < 0) this.currentSecond = second;
    const steps = Math.min(this.windowS, second - this.currentSecond);
    for (let i = 1; i <= steps; i++) this.buckets[(this.currentSecond + i) % this.windowS] = 0;
    if (second > this.currentSecond) this.currentSecond = second;
  }

  add(nowMono: number, count = 1): void {
    this.roll(nowMono);
    const index = this.currentSecond % this.windowS;
    this.buckets[index] = (this.buckets[index] ?? 0) + count;
  }

  /** Average rate over the completed seconds of the window (the current second is partial). */
  perSecond(nowMono: number): number {
    this.roll(nowMono);
    let sum = 0;
    for (let i = 1; i < this.windowS; i++)
      sum += this.buckets[(this.currentSecond - i + this.windowS * 2) % this.windowS] ?? 0;
    return sum / (this.windowS - 1);
  }
}
