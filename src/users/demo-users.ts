/**
 * The demo's users: one per role, all with the password "demo", so `lineside demo` shows what
 * each role may do with no setup. Written once into the demo's data directory; a users file
 * already there (the plant engineer tried `lineside user add` on it) is left alone.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashPassword } from './password.js';
import { ROLES } from './roles.js';
import { writeUsers, type UserRecord } from './users-file.js';

export const DEMO_PASSWORD = 'demo';

export async function seedDemoUsers(path: string, now: Date = new Date()): Promise<boolean> {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  const at = now.toISOString();
  const users: UserRecord[] = [];
  for (const role of ROLES)
    users.push({ name: role, role, password: await hashPassword(DEMO_PASSWORD), created: at, updated: at });
  writeUsers(path, { version: 1, users });
  return true;
}
