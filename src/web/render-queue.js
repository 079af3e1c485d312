// @ts-check
// The rendering scheduler: parts marked dirty are drawn together at the next animation frame, once
// the first snapshot has arrived. What drawing a set of parts means is render.js's job.
import { model } from './page-state.js';

/** @import { Change } from './model.js' */

/**
 * What needs drawing again: a model change, or everything, the charts, the login state.
 * @typedef {Change | 'all' | 'charts' | 'operator'} Part
 */

/** @type {Set<Part>} */
const dirty = new Set();
let frame = 0;
/** @type {(parts: ReadonlySet<Part>) => void} */
let draw = () => undefined;

/**
 * Sets what a frame draws (render.js); the page sets it once, before anything is invalidated.
 * @param {(parts: ReadonlySet<Part>) => void} renderer
 */
export function setRenderer(renderer) {
  draw = renderer;
}

/** @param {...Part} parts */
export function invalidate(...parts) {
  for (const p of parts) dirty.add(p);
  if (frame === 0) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  if (!model.ready) return;
  const parts = new Set(dirty);
  dirty.clear();
  draw(parts);
}
