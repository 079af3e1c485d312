/**
 * Which GPIO controller carries the 40-pin header. Both drivers choose it by label, never by
 * number: the Pi 5's header bank moved from gpiochip4 to gpiochip0 in kernel 6.6.45, and sysfs
 * bases moved to 512+ in 6.6.
 */

/** Controllers that carry the header's BCM GPIOs: Pi 4/400/CM4, Pi 5, Pi 3/Zero 2 and older. */
export const HEADER_CHIP_LABELS = ['pinctrl-bcm2711', 'pinctrl-rp1', 'pinctrl-bcm2835'] as const;

/** The chip labelled `chipLabel` if given, else the first of HEADER_CHIP_LABELS present. */
export function chooseChip<T extends { readonly label: string }>(
  chips: readonly T[],
  chipLabel?: string,
): T | undefined {
  const wanted: readonly string[] = chipLabel !== undefined ? [chipLabel] : HEADER_CHIP_LABELS;
  for (const label of wanted) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  return undefined;
}

/** "pinctrl-bcm2711, pinctrl-rp1, pinctrl-bcm2835" or the configured label, for messages. */
export function wantedLabels(chipLabel?: string): string {
  return chipLabel !== undefined ? `"${chipLabel}"` : HEADER_CHIP_LABELS.join(', ');
}
