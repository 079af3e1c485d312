// @ts-check
// What the output and the tiles say about the plan, in words a manager reads right: the good
// parts made against the whole shift's target, and how many were due by now. The core gives two
// figures (docs/oee.md): `target`, the shift's target in parts (the configured `target` of the
// shift, else planned time / ideal cycle time: "at ideal rate"), and `behindBy`, the parts
// behind the pro-rata target so far; "due by now" is good + behindBy. A bare "/ 330" hid that
// the target was pro rata. Plain functions, no DOM: tested in tests/unit/web/target-format.test.ts.
import { formatCount } from './format.js';

/**
 * @typedef {object} PlanFigures
 * @property {number | undefined} good good parts this shift
 * @property {number | undefined} target parts for the whole shift
 * @property {number | undefined} behindBy parts behind the pro-rata target so far (negative: ahead)
 * @property {boolean} configured whether the shift has a configured `target` (else: at the ideal rate)
 */

/**
 * @typedef {object} PlanFacts
 * @property {string} good "1 210"
 * @property {string} target "of 2 250 shift target", "of 2 250 shift target at ideal rate", "" without one
 * @property {boolean} atIdealRate the target is derived from the ideal cycle time, not configured
 * @property {string} due "1 250 due by now", "" without a pro-rata target
 * @property {{ text: string, cls: string }} verdict "behind by 40" (behind), "ahead by 3" / "on plan" (ahead), "" without
 * @property {string} sentence all of it, for a title and screen readers
 */

/**
 * @param {PlanFigures} f
 * @returns {PlanFacts}
 */
export function planFacts({ good, target, behindBy, configured }) {
  const hasTarget = target !== undefined && Number.isFinite(target);
  const targetText = hasTarget ? `of ${formatCount(target)} shift target${configured ? '' : ' at ideal rate'}` : '';
  const known = behindBy !== undefined && Number.isFinite(behindBy) && good !== undefined && Number.isFinite(good);
  const due = known ? `${formatCount(Math.max(0, good + behindBy))} due by now` : '';
  const verdict = verdictOf(behindBy);
  const goodText = formatCount(good);
  const sentence = [
    `${goodText} good${targetText !== '' ? ` ${targetText}` : ''}`,
    ...(due !== '' ? [`${due}${verdict.text !== '' ? ` (${verdict.text})` : ''}`] : []),
  ].join(' · ');
  return { good: goodText, target: targetText, atIdealRate: hasTarget && !configured, due, verdict, sentence };
}

/** @param {number | undefined} behindBy */
function verdictOf(behindBy) {
  if (behindBy === undefined || !Number.isFinite(behindBy)) return { text: '', cls: '' };
  const n = Math.round(behindBy);
  if (n > 0) return { text: `behind by ${formatCount(n)}`, cls: 'behind' };
  if (n < 0) return { text: `ahead by ${formatCount(-n)}`, cls: 'ahead' };
  return { text: 'on plan', cls: 'ahead' };
}
