/**
 * The users file as part of checking a config: `lineside check-config`, `start` and `demo` pass
 * this to the config loader, so a broken users file is a config problem at `server.usersFile`
 * (exit 2 with the entry at fault), not a dashboard that silently lets nobody in.
 */
import type { FileCheck } from '../config/load.js';
import { errorMessage } from '../lib/errors.js';
import { readUsers } from './users-file.js';

/** A users file may be missing (nobody added yet: the agent picks it up when it appears), not broken. */
export const usersFileCheck: FileCheck = (config) => {
  const file = config.server?.usersFile;
  if (typeof file !== 'string') return [];
  try {
    readUsers(file);
    return [];
  } catch (err) {
    return [{ path: ['server', 'usersFile'], message: errorMessage(err) }];
  }
};

export const CONFIG_FILE_CHECKS: readonly FileCheck[] = [usersFileCheck];
