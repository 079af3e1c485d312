import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheckConfig } from '../../../src/cli/check-config.js';

const DIR = join(import.meta.dirname, '../../configs/broken');

function check(file: string) {
  let stdout = '';
  let stderr = '';
  const code = runCheckConfig([file], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('check-config names the exact problem in every broken config', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

  it('has at least 15 distinct broken configs', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of files) {
    it(name, () => {
      const file = join(DIR, name);
      const expected = /^# expect: (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1];
      expect(expected, 'each broken config states its expected message on line 1').toBeDefined();
      const { code, stdout, stderr } = check(file);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(expected as string);
    });
  }
});

describe('check-config accepts the shipped configs', () => {
  for (const file of ['config/example.yaml', 'tests/configs/valid-minimal.yaml']) {
    it(file, () => {
      const { code, stdout, stderr } = check(join(import.meta.dirname, '../../..', file));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/ok \(\d+ lines?, \d+ stations?, \d+ devices?, \d+ tags?, \d+ GPIO inputs?\)/);
    });
  }
});
