/**
 * BCM pins map to the right sysfs numbers on every Pi layout, found from the chips' labels and
 * bases (never a hard-coded offset), against fake sysfs trees in temp dirs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSysfsChip, sysfsNumber } from '../../../src/sources/gpio/sysfs-chips.js';
import { LAYOUTS, makeSysfsTree, type FakeChip, type FakeSysfs } from '../../fixtures/gpio/sysfs-layouts.js';

const trees: FakeSysfs[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) tree.cleanup();
});
function tree(chips: readonly FakeChip[]): string {
  const t = makeSysfsTree(chips);
  trees.push(t);
  return t.root;
}

describe('BCM -> sysfs number by controller label', () => {
  it.each([
    ['Pi 3, 5.15 kernel', LAYOUTS.pi3Legacy, 'pinctrl-bcm2835', 17],
    ['Pi 3, 6.6 kernel', LAYOUTS.pi3, 'pinctrl-bcm2835', 529],
    ['Pi 4', LAYOUTS.pi4, 'pinctrl-bcm2711', 529],
    ['Pi 5', LAYOUTS.pi5, 'pinctrl-rp1', 588],
  ])('%s: BCM 17 is on %s as %i', async (_model, layout, label, number) => {
    const result = await resolveSysfsChip(tree(layout));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.chip.label).toBe(label);
    expect(sysfsNumber(result.chip, 17)).toBe(number);
  });

  it('Pi 5: BCM 4 is 575 and BCM 27 is 598 (the RP1 bank, not a brcmstb bank at 512)', async () => {
    const result = await resolveSysfsChip(tree(LAYOUTS.pi5));
    if (!result.ok) throw new Error(result.reason);
    expect([sysfsNumber(result.chip, 4), sysfsNumber(result.chip, 27)]).toEqual([575, 598]);
    expect(result.chips).toHaveLength(5);
  });

  it('a pin beyond the controller has no number', async () => {
    const result = await resolveSysfsChip(tree(LAYOUTS.pi5));
    if (!result.ok) throw new Error(result.reason);
    expect(sysfsNumber(result.chip, 54)).toBeNull();
  });

  it('a configured chipLabel picks that controller', async () => {
    const result = await resolveSysfsChip(tree(LAYOUTS.pi4), 'raspberrypi-exp-gpio');
    if (!result.ok) throw new Error(result.reason);
    expect(sysfsNumber(result.chip, 2)).toBe(572);
  });

  it('no header controller: the reason lists what was found', async () => {
    const result = await resolveSysfsChip(tree([{ label: 'gpio-mockup-A', base: 512, ngpio: 8 }]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(
      /no GPIO controller labelled pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835 .*found: gpiochip512 \[gpio-mockup-A\]/,
    );
  });

  it('no sysfs GPIO at all: ENOENT with the path', async () => {
    const result = await resolveSysfsChip(tree([]) + '/nonexistent');
    expect(result).toMatchObject({ ok: false, errno: 'ENOENT' });
    if (result.ok) return;
    expect(result.reason).toMatch(/class\/gpio does not exist/);
  });
});
