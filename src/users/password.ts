/**
 * Password hashes with node:crypto scrypt, stored as one self-describing string
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url) so the cost can be raised later without
 * invalidating the hashes already in a users file.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 2^15 × r 8 = 32 MiB and about 0.1 s per check on a Raspberry Pi 4: slow for a guesser, fine for a login. */
const DEFAULT_LOG2N = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly the default cost, so lift it. */
const maxmem = (log2n: number, r: number): number => 128 * 2 ** log2n * r + 1024 * 1024;

export async function hashPassword(password: string, log2n = DEFAULT_LOG2N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { N: 2 ** log2n, r: R, p: P, maxmem: maxmem(log2n, R) });
  return ['scrypt', log2n, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  readonly log2n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

export function parsePasswordHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [log2n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2n, r, p].every(Number.isSafeInteger) || log2n < 10 || log2n > 20 || r < 1 || r > 32 || p < 1 || p > 16)
    return undefined;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length < 8 || key.length < 16) return undefined;
  return { log2n, r, p, salt, key };
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parsePasswordHash(encoded);
  if (parsed === undefined) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.key.length, {
    N: 2 ** parsed.log2n,
    r: parsed.r,
    p: parsed.p,
    maxmem: maxmem(parsed.log2n, parsed.r),
  });
  return timingSafeEqual(key, parsed.key);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the same time on an unknown name as on a wrong password, so a login's duration does not
 * tell which user names exist.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('lineside-no-such-user');
  await verifyPassword(password, await dummyHash);
  return false;
}
