/** Starts bench/modbus-server-farm.ts as a child process and returns its ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Farm {
  readonly ports: readonly number[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startFarm(args: string[]): Promise<Farm> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/modbus-server-farm.ts', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server farm exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { ports: number[] }).ports));
  });
  return {
    ports,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
