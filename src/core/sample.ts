/**
 * What sources hand the core. Sources never know what a tag means; the core binds tags to
 * meaning through the station config.
 */

/** One value read from one tag. */
export interface Sample {
  /** Tag id: "<device>.<tag>", "gpio.<input>" (pulse count) or "gpio.<input>.level". */
  readonly tag: string;
  readonly value: number | boolean | string;
  /** Wall-clock time of the read, ms since the Unix epoch (event timestamps come from this). */
  readonly ts: number;
  /** Monotonic time of the read, ms (durations come from this; immune to NTP jumps). */
  readonly mono: number;
}

/** A source's connection to one device changed. While not ok, its stations are comms_lost. */
export interface CommsChange {
  /** Device id ("plc1") or "gpio". */
  readonly device: string;
  readonly ok: boolean;
  readonly ts: number;
  readonly mono: number;
  /** "CODE message" of the error that took the device offline. */
  readonly error?: string;
}

/** Where sources deliver. Calls are synchronous and never throw back into the source. */
export interface SampleSink {
  sample(sample: Sample): void;
  comms(change: CommsChange): void;
}

/** Time as the core sees it: injected, so a simulated week runs in seconds. */
export interface Clock {
  /** Wall clock, ms since the Unix epoch. May jump (NTP). */
  wallMs(): number;
  /** Monotonic clock, ms from an arbitrary origin. Never goes backwards. */
  monoMs(): number;
}
