import type { AlertEvent } from '../../../src/core/events.js';

let seq = 0;

/** An alert event as the predictors raise it (a warning on press), each with the next seq. */
export function alertEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  seq++;
  return {
    type: 'alert',
    id: `press-alert-${String(seq).padStart(9, '0')}`,
    line: 'line1',
    station: 'press',
    seq,
    ts: Date.UTC(2025, 0, 6, 12),
    alertId: 'press-condition_trend-1',
    kind: 'condition_trend',
    severity: 'warning',
    status: 'active',
    evidence: { summary: 'vibration 5.2 (warning limit reached)', level: 5.2, warning: 4.5 },
    predictedFailureAt: Date.UTC(2025, 0, 6, 15),
    ...overrides,
  };
}
