// What the output and the tiles say about the plan (src/web/target-format.js): the good parts of
// the whole shift's target, the parts due by now, behind or ahead, and "at ideal rate" when the
// shift has no configured target. Plain browser JavaScript without DOM access, tested directly.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JS module without type declarations (the page has no build step)
import { planFacts } from '../../../src/web/target-format.js';

const NNBSP = '\u202f';
const n = (text: string) => text.replace(/,/g, NNBSP);

describe('plan facts', () => {
  it('says the target is the whole shift and how many parts were due by now', () => {
    expect(planFacts({ good: 1210, target: 2250, behindBy: 40, configured: true })).toEqual({
      good: n('1,210'),
      target: n('of 2,250 shift target'),
      atIdealRate: false,
      due: n('1,250 due by now'),
      verdict: { text: 'behind by 40', cls: 'behind' },
      sentence: n('1,210 good of 2,250 shift target · 1,250 due by now (behind by 40)'),
    });
  });

  it('says when the target is derived from the ideal cycle time', () => {
    const facts = planFacts({ good: 300, target: 2400, behindBy: -12, configured: false });
    expect(facts.target).toBe(n('of 2,400 shift target at ideal rate'));
    expect(facts.atIdealRate).toBe(true);
    expect(facts.due).toBe('288 due by now');
    expect(facts.verdict).toEqual({ text: 'ahead by 12', cls: 'ahead' });
  });

  it.each([
    [{ good: 50, target: 100, behindBy: 0, configured: true }, 'on plan', '50 due by now'],
    // Rounded figures can put "due" below zero in the first seconds: never a negative count.
    [{ good: 1, target: 100, behindBy: -3, configured: true }, 'ahead by 3', '0 due by now'],
    [{ good: 7, target: undefined, behindBy: undefined, configured: false }, '', ''],
  ])('%j: %j, %j', (figures, verdict, due) => {
    const facts = planFacts(figures);
    expect(facts.verdict.text).toBe(verdict);
    expect(facts.due).toBe(due);
  });

  it('shows nothing it does not know: no target, no figures', () => {
    expect(planFacts({ good: undefined, target: undefined, behindBy: undefined, configured: false })).toEqual({
      good: '–',
      target: '',
      atIdealRate: false,
      due: '',
      verdict: { text: '', cls: '' },
      sentence: '– good',
    });
  });
});
