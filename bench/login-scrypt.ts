/**
 * What a named login costs: one scrypt verification (N = 2^15, r = 8: 32 MiB) per
 * POST /api/login, and how the event loop fares meanwhile (scrypt runs on libuv's thread pool).
 * Run: npx tsx bench/login-scrypt.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hashPassword, verifyPassword } from '../src/users/password.js';

const ROUNDS = 20;
const hash = await hashPassword('correct horse battery');
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let t = performance.now();
for (let i = 0; i < ROUNDS; i++) await verifyPassword('correct horse battery', hash);
const serialMs = (performance.now() - t) / ROUNDS;
t = performance.now();
await Promise.all(Array.from({ length: ROUNDS }, () => verifyPassword('wrong password', hash)));
const parallelMs = performance.now() - t;
lag.disable();
console.log(`login (scrypt N=2^15, r=8, p=1), ${ROUNDS} rounds`);
console.log(`  one verification: ${serialMs.toFixed(1)} ms`);
console.log(
  `  ${ROUNDS} at once (a guesser): ${parallelMs.toFixed(0)} ms in all = ${(ROUNDS / (parallelMs / 1000)).toFixed(1)} guesses/s before the rate limit`,
);
console.log(`  event-loop lag meanwhile: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`);
