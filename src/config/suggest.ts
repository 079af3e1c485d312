/** Levenshtein distance, case-insensitive, small inputs only (config names). */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const row = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diag + (s[i - 1] === t[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return row[t.length] as number;
}

/**
 * The closest known name to a misspelt one, when it is close enough to be a likely typo
 * ("plc1.partcount" -> "plc1.partCount"), else undefined.
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 4));
  return bestDistance <= allowed ? best : undefined;
}

export function didYouMean(name: string, known: Iterable<string>): string {
  const hit = closest(name, known);
  return hit !== undefined ? `; did you mean "${hit}"?` : '';
}
