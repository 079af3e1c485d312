/**
 * What a TV shows of each panel: for every box of the page (header, overview, tiles, the lower
 * panels), whether its content fits it. Run in the page (`findClipping(page)`), so it
 * measures the real layout of the real stylesheet. A box clips when:
 * - its content is taller or wider than the box (scrollHeight/Width beyond clientHeight/Width), or
 *   a list or aside inside it scrolls (a TV nobody touches never scrolls it);
 * - it reaches past the screen (a TV does not scroll), or an element inside it past the box's edges;
 * - a chart canvas is smaller than the height it asks for (`data-need-px`: the Pareto asks for a
 *   row per bar, src/web/pareto-size.js), so bars would be folded or squeezed.
 */
import type { Page } from 'playwright-core';

/** One clipped box: which panel, what clips, by how many pixels. */
export interface Clip {
  readonly panel: string;
  readonly what: string;
  readonly px: number;
}

/**
 * Returns the clipped boxes (`Clip[]`) when evaluated in the page. Plain JavaScript in a string:
 * the tests are typechecked without the DOM library (tsconfig.json), the page has it.
 */
export const FIND_CLIPPING = `(() => {
  const clips = [];
  const nameOf = (box) => {
    const heading = box.querySelector('h2, .ov-label, .tile-name')?.textContent?.trim();
    const id = box.id !== '' ? \`#\${box.id}\` : \`.\${[...box.classList].join('.')}\`;
    return heading ? \`\${heading} (\${id})\` : id;
  };
  const boxes = [...document.querySelectorAll('header.top, .overview, .tile, .panel, .line-tabs')].filter(
    (b) => b instanceof HTMLElement && b.offsetParent !== null,
  );
  for (const box of boxes) {
    if (!(box instanceof HTMLElement)) continue;
    const panel = nameOf(box);
    if (box.scrollHeight > box.clientHeight + 1)
      clips.push({ panel, what: 'content taller than the box', px: box.scrollHeight - box.clientHeight });
    if (box.scrollWidth > box.clientWidth + 1)
      clips.push({ panel, what: 'content wider than the box', px: box.scrollWidth - box.clientWidth });
    const outer = box.getBoundingClientRect();
    const offScreen = Math.max(outer.bottom - window.innerHeight, outer.right - window.innerWidth);
    if (offScreen > 1) clips.push({ panel, what: 'box reaches past the screen', px: offScreen });
    for (const inner of box.querySelectorAll('*')) {
      if (!(inner instanceof HTMLElement) || inner.offsetParent === null) continue;
      const r = inner.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const out = Math.max(r.bottom - outer.bottom, r.right - outer.right, outer.top - r.top, outer.left - r.left);
      // Inside a scrolled list the rows are measured by the list's own check below.
      const scrolledAway = inner.parentElement?.closest('.list, .rejects-panel') !== null;
      if (out > 1 && !scrolledAway)
        clips.push({ panel, what: \`\${inner.tagName.toLowerCase()}.\${inner.className} outside the box\`, px: out });
      const style = getComputedStyle(inner);
      const scrolls = /auto|scroll|hidden/.test(style.overflowY) && inner.scrollHeight > inner.clientHeight + 1;
      // Text cut with an ellipsis is a deliberate one-line label, not a clipped panel.
      if (scrolls && style.textOverflow !== 'ellipsis')
        clips.push({
          panel,
          what: \`\${inner.tagName.toLowerCase()}#\${inner.id || inner.className} scrolls\`,
          px: inner.scrollHeight - inner.clientHeight,
        });
      const need = Number(inner.dataset.needPx);
      if (inner instanceof HTMLCanvasElement && Number.isFinite(need) && r.height + 1 < need)
        clips.push({ panel, what: \`canvas#\${inner.id} needs \${Math.round(need)} px\`, px: need - r.height });
    }
  }
  return clips.map((c) => ({ ...c, px: Math.round(c.px) }));
})()`;

/** The clipped boxes of the page as it is now. */
export async function findClipping(page: Page): Promise<Clip[]> {
  return (await page.evaluate(FIND_CLIPPING)) as Clip[];
}
