/**
 * Seeded pseudo-random numbers for the simulator. Determinism is the whole point: the same seed
 * and scenario must give the same run, byte for byte, so nothing here reads Math.random().
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words, period 2^128 - 1. Every stream
 * is seeded from a hash of (run seed, stream name), so each station and purpose ("press/cycle",
 * "press/micro") has its own independent sequence: adding a station or a micro-stop model never
 * shifts another stream's draws.
 */

/** 32-bit FNV-1a over a string, for naming streams. */
export function hashString32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32 step: a good avalanche for seeding (and for counter-based noise). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Seeds the four state words from `seed` through splitmix32 (never all zero). */
  constructor(seed: number) {
    let x = seed >>> 0;
    x = mix32(x);
    this.s0 = x;
    x = mix32(x);
    this.s1 = x;
    x = mix32(x);
    this.s2 = x;
    x = mix32(x);
    this.s3 = x | 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in (0, 1]: safe for log(). */
  nextOpen(): number {
    return 1 - this.next();
  }

  /** Standard normal (Box-Muller; one value per call, the pair's twin is discarded for simplicity). */
  nextNormal(): number {
    const u = this.nextOpen();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Index drawn with the given non-negative weights. */
  pickWeighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Creates the named, independent streams of one run. */
export class PrngStreams {
  constructor(private readonly seed: number) {}

  /** The stream for `name`; the same (seed, name) always gives the same sequence. */
  stream(name: string): Prng {
    return new Prng(mix32((this.seed >>> 0) ^ mix32(hashString32(name))));
  }

  /**
   * Counter-based value in [0, 1) for (name, index) without keeping state: used for noise that is
   * read on demand (condition signals), so reads at arbitrary times never disturb the run.
   */
  uniformAt(nameHash: number, index: number): number {
    const a = mix32((this.seed >>> 0) ^ nameHash);
    const b = mix32(a ^ (index >>> 0));
    const c = mix32(b ^ Math.floor(index / 4294967296));
    return c / 4294967296;
  }

  /** Standard normal for (name, index), counter-based like uniformAt. */
  normalAt(nameHash: number, index: number): number {
    const u = 1 - this.uniformAt(nameHash, index * 2);
    const v = this.uniformAt(nameHash, index * 2 + 1);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
