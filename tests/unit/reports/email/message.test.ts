/** The report email's subject and bodies: the page's figures, printed as the page prints them. */
import { describe, expect, it } from 'vitest';
import { reportMessage, reportSubject } from '../../../../src/reports/email/message.js';
import { buildReport } from '../../../../src/reports/model.js';
import { input } from '../fixtures.js';

const model = buildReport(input());

describe('the report email', () => {
  it('names prefix, line, shift, plant-time date and OEE in the subject', () => {
    expect(reportSubject(model, '[Lineside]')).toBe('[Lineside] line1 early 2026-12-04: OEE 68.4 %');
    expect(reportSubject(model, '')).toBe('line1 early 2026-12-04: OEE 68.4 %');
  });

  it('carries line, shift window in plant time, A/P/Q, good vs target and the top 3 losses', () => {
    const { text, html } = reportMessage(model, '[Lineside]');
    expect(text).toContain('Line 1 (line1)');
    expect(text).toContain('2026-12-04 07:00:00 to 2026-12-04 15:00:00 (Europe/Berlin)');
    for (const [label, value] of [
      ['OEE', '68.4%'],
      ['Availability', '80.0%'],
      ['Performance', '90.0%'],
      ['Quality', '95.0%'],
    ] as const)
      expect(text).toMatch(new RegExp(`^${label}: +${value.replace('.', '\\.')}$`, 'm'));
    expect(text).toContain('950 / 1100');
    const losses = text.split('Top 3 losses:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.length).toBeLessThanOrEqual(3);
    expect(losses[0]).toMatch(/^ {2}1\. .+: \d+\.\d min$/);
    expect(html).toContain('<th align="left">OEE</th><td>68.4%</td>');
  });

  it('escapes names in the HTML body', () => {
    const { html } = reportMessage(buildReport(input({ lineName: '<b>x</b>' })), '');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
