// @ts-check
// Short messages to the operator: a toast that hides itself after 4 s, and an error's text.
import { $ } from './dom.js';

/** @param {unknown} err */
export function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

let toastTimer = 0;

/** @param {string} text */
export function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 4000);
}
