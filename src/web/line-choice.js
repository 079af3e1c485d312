// @ts-check
// Which line of the agent the page shows: the `line` of the address (`?line=line2`, or
// `#line=line2` where a kiosk tool cannot set a query), else the config's first line. The
// address is the choice, so a TV pointed at `…/?line=line2` shows line 2 after every reload.
// Plain functions of strings, no DOM: tested directly (tests/unit/web/line-choice.test.ts).

/**
 * The line asked for in the address, or null.
 * @param {string} search location.search, e.g. "?line=line2"
 * @param {string} hash location.hash, e.g. "#line=line2"
 */
export function lineFromAddress(search, hash) {
  const fromQuery = new URLSearchParams(search).get('line');
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromHash = new URLSearchParams(hash.replace(/^#/, '')).get('line');
  return fromHash !== null && fromHash !== '' ? fromHash : null;
}

/**
 * The line to show, and whether the address asked for one the agent does not have.
 * @param {readonly string[]} lineIds the agent's lines, in config order
 * @param {string | null} wanted
 * @returns {{ id: string | undefined, unknown: string | null }} unknown: the id asked for in vain
 */
export function chooseLine(lineIds, wanted) {
  if (wanted !== null && lineIds.includes(wanted)) return { id: wanted, unknown: null };
  return { id: lineIds[0], unknown: wanted };
}

/**
 * The address showing `lineId`: the query's `line` set (any `#line=` dropped), the rest kept.
 * @param {string} href the current address
 * @param {string} lineId
 */
export function addressOfLine(href, lineId) {
  const url = new URL(href);
  url.searchParams.set('line', lineId);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (hash.has('line')) {
    hash.delete('line');
    url.hash = hash.toString();
  }
  return url.toString();
}
