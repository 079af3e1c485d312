import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheckConfig } from '../../../src/cli/check-config.js';

const DIR = join(import.meta.dirname, '../../configs/broken');

function check(file: string) {
  let stdout = '';
  let stderr = '';
  const code = runCheckConfig([file], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('check-config names the exact problem in every broken config', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 40 distinct broken configs', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  // Each file states what check-config must print: one "# expect: <path (line:col): message>"
  // per problem, starting on line 1, and nothing else (no knock-on problems), unless
  // "# problems: N" says how many lines the expectations are spread over.
  for (const name of files) {
    it(name, () => {
      const file = join(DIR, name);
      const text = readFileSync(file, 'utf8');
      const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1] as string);
      expect(text.startsWith('# expect: '), 'each broken config states its expected message on line 1').toBe(true);
      const count = Number(/^# problems: (\d+)$/m.exec(text)?.[1] ?? expected.length);
      const { code, stdout, stderr } = check(file);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      for (const line of expected) expect(stderr).toContain(line);
      expect(stderr.split('\n')[0]).toBe(`${file}: ${count} problem${count === 1 ? '' : 's'}`);
      expect(stderr, 'no stack traces').not.toMatch(/^\s+at /m);
    });
  }
});

describe('check-config accepts the shipped configs', () => {
  const shipped = [
    'config/example.yaml',
    'config/demo.yaml',
    'tests/configs/valid-minimal.yaml',
    'tests/configs/valid-influx-v2.yaml',
    'tests/configs/valid-questdb.yaml',
    ...readdirSync(join(import.meta.dirname, '../../../simulator/scenarios'))
      .filter((f) => f.endsWith('.config.yaml'))
      .map((f) => `simulator/scenarios/${f}`),
  ];
  for (const file of shipped) {
    it(file, () => {
      const { code, stdout, stderr } = check(join(import.meta.dirname, '../../..', file));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/ok \(\d+ lines?, \d+ stations?, \d+ devices?, \d+ tags?, \d+ GPIO inputs?\)/);
    });
  }
});
