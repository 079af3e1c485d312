// @ts-check
// The page's DOM helpers: finding its fixed elements and making new ones. index.html and the
// scripts ship together, so a missing element (or one of another kind) is a bug: it fails
// loudly, naming the id, instead of as a null somewhere later.

/**
 * The element with this id, checked to be a `kind` (HTMLElement unless told).
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {new () => E} [kind]
 * @returns {E}
 */
export function $(id, kind) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`dashboard: no element #${id} in index.html`);
  const expected = kind ?? HTMLElement;
  if (!(node instanceof expected))
    throw new Error(`dashboard: #${id} is a <${node.tagName.toLowerCase()}>, not a ${expected.name}`);
  // `expected` is `kind`, or HTMLElement when E is its default HTMLElement: node is an E.
  return /** @type {E} */ (node);
}

/**
 * A new element, with a class and text when given.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
