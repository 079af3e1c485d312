/**
 * The tree deploy/install.sh lays out is what the systemd unit runs and what a plant engineer
 * types `lineside ...` against: the demo, the simulator and check-config must work from it, with
 * everything they read found inside /opt/lineside (round 1's install crashed on `lineside demo`).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCheckConfig, expectDemoRuns, expectSimulateServes, type Launcher } from '../release/installed.js';
import { checkConfigInTree, install, makeSourceCheckout, removeTempDirs, tempDir } from './support.js';

let root: string;
let lineside: Launcher;

beforeAll(() => {
  const checkout = makeSourceCheckout();
  root = tempDir('root');
  const result = install(checkout, root);
  if (result.status !== 0) throw new Error(`install.sh failed:\n${result.stdout}\n${result.stderr}`);
  lineside = [process.execPath, path.join(root, 'opt/lineside/bin/lineside.js')];
}, 180_000);

afterAll(() => removeTempDirs());

describe('the installed tree (install.sh --root DIR)', () => {
  it('lineside demo runs from /opt/lineside', async () => {
    await expectDemoRuns(lineside);
  }, 180_000);

  it('lineside simulate -s steady serves non-zero registers within its first seconds', async () => {
    await expectSimulateServes(lineside);
  }, 60_000);

  it('check-config passes on the installed config as the service runs it, and on the shipped example', async () => {
    const asService = checkConfigInTree(root);
    expect(asService.status, asService.stderr).toBe(0);
    await expectCheckConfig(lineside, path.join(root, 'etc/lineside/config.example.yaml'));
  }, 60_000);
});
