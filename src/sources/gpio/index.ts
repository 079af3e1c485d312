/** GPIO acquisition: drivers (sysfs, chardev, sim), debounce and pulse counting, the source. */
export { createGpioSource, type GpioInputStatus, type GpioSource, type GpioSourceDeps } from './source.js';
export {
  PulseFilter,
  type EdgeSelection,
  type LevelChange,
  type PulseFilterSettings,
  type PulseFilterStats,
} from './debounce.js';
export type { DriverKind, DriverListener, GpioDriver, Level, LineOpenResult, LineRequest, RawEdge } from './driver.js';
export {
  defaultDriverFactory,
  selectDriver,
  type DriverContext,
  type DriverFactory,
  type DriverMode,
} from './select-driver.js';
export type { VirtualGpioPort } from './drivers/sim.js';
export { HEADER_CHIP_LABELS } from './chip-labels.js';
export { listSysfsChips, resolveSysfsChip, sysfsNumber, type SysfsChip } from './sysfs-chips.js';
