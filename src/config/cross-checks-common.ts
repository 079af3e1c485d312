/** Shared vocabulary of the cross-field checks: the loose config they read, issue paths, id uniqueness. */
import type { LinesideConfig } from './schema.js';
import type { Loose } from './tolerant.js';

export type Path = (string | number)[];
export type Add = (path: Path, message: string) => void;
export type Config = Loose<LinesideConfig>;

export function unique(entries: readonly (readonly [string | undefined, Path])[], what: string, add: Add): void {
  const seen = new Set<string>();
  for (const [id, path] of entries) {
    if (id === undefined) continue;
    if (seen.has(id)) add(path, `duplicate ${what} id "${id}"`);
    else seen.add(id);
  }
}
