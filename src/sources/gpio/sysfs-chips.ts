/**
 * BCM pin -> sysfs GPIO number, found at start-up from the label, base and ngpio files of each
 * /sys/class/gpio/gpiochipN directory.
 * Since kernel 6.6 the numbers are base + BCM with a base that depends on the model and the
 * kernel (512 on a Pi 4, 571 on a Pi 5 on bookworm; 0 on older kernels): never hard-coded.
 * The controller is chosen by label (pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835), since
 * other chips (the firmware expander, the Pi 5's brcmstb banks) sit at other bases.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chooseChip, wantedLabels } from './chip-labels.js';

export interface SysfsChip {
  /** Directory name, "gpiochip512". */
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export type SysfsChipResult =
  | { readonly ok: true; readonly chip: SysfsChip; readonly chips: readonly SysfsChip[] }
  | { readonly ok: false; readonly errno: string; readonly reason: string; readonly chips: readonly SysfsChip[] };

/** `<sysfsRoot>/class/gpio`, where the sysfs GPIO interface lives. */
export function sysfsGpioDir(sysfsRoot: string): string {
  return path.join(sysfsRoot, 'class', 'gpio');
}

/** Every gpiochip directory with a readable label, base and ngpio (others are skipped). */
export async function listSysfsChips(sysfsRoot: string): Promise<SysfsChip[]> {
  const dir = sysfsGpioDir(sysfsRoot);
  const names = (await readdir(dir)).filter((n) => /^gpiochip\d+$/.test(n));
  const chips: SysfsChip[] = [];
  for (const name of names) {
    try {
      const [label, base, ngpio] = await Promise.all(
        ['label', 'base', 'ngpio'].map((f) => readFile(path.join(dir, name, f), 'utf8').then((s) => s.trim())),
      );
      const baseNumber = Number(base);
      const count = Number(ngpio);
      if (label !== undefined && Number.isInteger(baseNumber) && Number.isInteger(count)) {
        chips.push({ name, label, base: baseNumber, ngpio: count });
      }
    } catch {
      // A chip directory without the three files is not usable; the others still are.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** Finds the controller carrying the header pins (or the one labelled `chipLabel`). */
export async function resolveSysfsChip(sysfsRoot: string, chipLabel?: string): Promise<SysfsChipResult> {
  let chips: SysfsChip[];
  try {
    chips = await listSysfsChips(sysfsRoot);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const dir = sysfsGpioDir(sysfsRoot);
    const reason =
      errno === 'ENOENT'
        ? `${dir} does not exist (kernel without sysfs GPIO, or not a Raspberry Pi)`
        : `cannot list ${dir}: ${errno}`;
    return { ok: false, errno, reason, chips: [] };
  }
  const chip = chooseChip(chips, chipLabel);
  if (chip) return { ok: true, chip, chips };
  const found = chips.length > 0 ? chips.map((c) => `${c.name} [${c.label}]`).join(', ') : 'none';
  return {
    ok: false,
    errno: 'ENOENT',
    reason: `no GPIO controller labelled ${wantedLabels(chipLabel)} under ${sysfsGpioDir(sysfsRoot)} (found: ${found})`,
    chips,
  };
}

/** The sysfs number of a BCM pin on `chip`, or null when the chip has no such line. */
export function sysfsNumber(chip: SysfsChip, bcmPin: number): number | null {
  if (!Number.isInteger(bcmPin) || bcmPin < 0 || bcmPin >= chip.ngpio) return null;
  return chip.base + bcmPin;
}

/** "sysfs 529 (pinctrl-bcm2711 base 512)" */
export function describeSysfsLine(chip: SysfsChip, bcmPin: number): string {
  const n = sysfsNumber(chip, bcmPin);
  return n === null
    ? `no sysfs line: ${chip.label} has ${chip.ngpio} lines (base ${chip.base}), BCM ${bcmPin} is beyond them`
    : `sysfs ${n} (${chip.label} base ${chip.base})`;
}
