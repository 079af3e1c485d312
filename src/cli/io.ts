/** Where a CLI command writes; injectable so tests capture output without spawning. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** Exit codes, part of the CLI contract (docs/architecture.md#cli). */
export const EXIT = { ok: 0, runtime: 1, badInput: 2 } as const;
