// The page and the agent must speak the same protocol version: the page reloads itself whenever
// a snapshot's `protocol` differs from its own, so two numbers that drift apart would reload every
// open dashboard forever. There is one constant, src/web/protocol.js; the server re-exports it
// through package.json "imports" (so the built server in dist/ reaches it too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION as serverVersion } from '../../../src/server/view-model.js';
import { PROTOCOL_VERSION as pageVersion } from '../../../src/web/protocol.js';

const WEB = join(import.meta.dirname, '../../../src/web');

describe('protocol version', () => {
  it('is the same number in the page and in the server, written once', () => {
    expect(Number.isInteger(pageVersion)).toBe(true);
    expect(pageVersion).toBe(serverVersion);
    const server = readFileSync(join(import.meta.dirname, '../../../src/server/view-model.ts'), 'utf8');
    expect(server).toMatch(/^export \{ PROTOCOL_VERSION \} from '#web\/protocol\.js';$/m);
  });

  it('is imported by the page from protocol.js and checked against each snapshot', () => {
    const app = readFileSync(join(WEB, 'app.js'), 'utf8');
    expect(app).toMatch(/^import \{ PROTOCOL_VERSION \} from '\.\/protocol\.js';$/m);
    expect(app).toMatch(/data\.protocol !== PROTOCOL_VERSION\b/);
  });

  it('is written out nowhere else in the page', () => {
    for (const name of readdirSync(WEB).filter((n) => n.endsWith('.js') && n !== 'protocol.js')) {
      const source = readFileSync(join(WEB, name), 'utf8');
      expect(source, name).not.toMatch(/\bPROTOCOL\w*\s*=\s*\d/);
      expect(source, name).not.toMatch(/\bprotocol\s*[!=]==?\s*\d/);
    }
  });
});
