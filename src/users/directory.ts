/**
 * The agent's live view of the users file. Every lookup checks the file's identity (inode, size,
 * mtime) and re-reads it when it changed, so `lineside user add` takes effect on the next login
 * without a restart. A file that turns bad keeps the last good users (and says so once); one that
 * is removed means nobody can log in by name until it is back.
 */
import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import { errorMessage } from '../lib/errors.js';
import { EMPTY_USERS, findUser, readUsers, tokenDigest, type UserRecord, type UsersDoc } from './users-file.js';

export class UserDirectory {
  private doc: UsersDoc = EMPTY_USERS;
  private stamp = '';
  private lastError: string | undefined;

  /** Reads the file once now: a broken users file at start-up is a config error (exit 2), not a silent "nobody". */
  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    this.stamp = this.currentStamp();
    this.doc = readUsers(path) ?? EMPTY_USERS;
  }

  get size(): number {
    this.refresh();
    return this.doc.users.length;
  }

  find(name: string): UserRecord | undefined {
    this.refresh();
    return findUser(this.doc, name);
  }

  byToken(token: string): UserRecord | undefined {
    this.refresh();
    const digest = tokenDigest(token);
    return this.doc.users.find((u) => u.tokenSha256 === digest);
  }

  private currentStamp(): string {
    try {
      const st = statSync(this.path, { bigint: true });
      return `${st.ino}:${st.size}:${st.mtimeNs}`;
    } catch {
      return 'missing';
    }
  }

  private refresh(): void {
    const stamp = this.currentStamp();
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    try {
      const doc = readUsers(this.path);
      this.doc = doc ?? EMPTY_USERS;
      this.lastError = undefined;
      this.logger.info(
        { usersFile: this.path, users: this.doc.users.length },
        doc === undefined ? 'users file removed: nobody can log in by name' : 'users file reloaded',
      );
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError)
        this.logger.error(
          { usersFile: this.path, err: message },
          'users file is broken; keeping the users read before',
        );
      this.lastError = message;
    }
  }
}
