import { describe, expect, it } from 'vitest';
import { hashPassword, parsePasswordHash, verifyPassword, verifyAgainstNobody } from '../../../src/users/password.js';

// 2^10: the lowest cost parsePasswordHash accepts, so the tests stay fast.
const FAST = 10;

describe('password hashes', () => {
  it('round trip: the right password verifies, a wrong one does not', async () => {
    const hash = await hashPassword('correct horse', FAST);
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct hors', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same password', FAST), hashPassword('same password', FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('keeps non-ASCII passwords intact', async () => {
    const hash = await hashPassword('Grüße aus Köln 🔧', FAST);
    expect(await verifyPassword('Grüße aus Köln 🔧', hash)).toBe(true);
    expect(await verifyPassword('Grusse aus Koln 🔧', hash)).toBe(false);
  });

  it('reads the cost from the hash, so hashes of another cost still verify', async () => {
    const hash = await hashPassword('cost eleven', 11);
    expect(parsePasswordHash(hash)).toMatchObject({ log2n: 11, r: 8, p: 1 });
    expect(await verifyPassword('cost eleven', hash)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['plain text', 'hunter2'],
    ['bcrypt', '$2b$12$abcdefghijklmnopqrstuuM5Vl0B1vDk0e0g1o6hXz6yW0Qe9ZrjS'],
    ['wrong scheme', 'pbkdf2$15$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['too few parts', 'scrypt$15$8$1$c2FsdHNhbHQ'],
    ['too many parts', 'scrypt$15$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5$x'],
    ['cost too low', 'scrypt$4$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['cost too high (a memory bomb)', 'scrypt$30$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['cost not a number', 'scrypt$x$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['fractional r', 'scrypt$15$8.5$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['p zero', 'scrypt$15$8$0$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['salt too short', 'scrypt$15$8$1$c2Fs$a2V5a2V5a2V5a2V5a2V5a2V5'],
    ['key too short', 'scrypt$15$8$1$c2FsdHNhbHQ$a2V5'],
  ])('rejects junk: %s', async (_why, encoded) => {
    expect(parsePasswordHash(encoded)).toBeUndefined();
    expect(await verifyPassword('hunter2', encoded)).toBe(false);
  });

  it('an unknown user costs a verification and never succeeds', async () => {
    expect(await verifyAgainstNobody('lineside-no-such-user')).toBe(false);
  });
});
