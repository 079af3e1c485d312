export { openHistoryStore, type HistoryOptions } from './store.js';
export type * from './types.js';
export { sumFigures, downIntervalsOf, type PeriodFigures, type SummedWait } from './period.js';
export { causesOfPeriod, type CauseShare } from './period-causes.js';
