import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './issues.js';

/** A parsed YAML document that can say where a config path is in the source. */
export interface YamlSource {
  readonly value: unknown;
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

export function parseYaml(text: string): { source: YamlSource } | { issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: [], message: `YAML syntax error: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col };
      }),
    };
  }
  return {
    source: {
      value: doc.toJS({ maxAliasCount: 100 }),
      locate: (path) => locate(doc, lineCounter, path),
    },
  };
}

function locate(doc: Document, lc: LineCounter, path: readonly (string | number)[]) {
  let node: Node | null | undefined = doc.contents;
  let best: number | undefined = node?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(key));
      if (pair === undefined) break;
      // Point at the value when there is one, else at the key (e.g. "key:" with nothing after it).
      const keyNode = pair.key as Node | null;
      node = pair.value as Node | null;
      best = node?.range?.[0] ?? keyNode?.range?.[0] ?? best;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (item === undefined) break;
      node = item;
      best = item.range?.[0] ?? best;
    } else {
      break;
    }
  }
  if (best === undefined) return undefined;
  const pos = lc.linePos(best);
  return { line: pos.line, column: pos.col };
}

/** Location of a map key itself (for "unknown key" errors). */
export function keyPath(path: readonly (string | number)[], key: string): (string | number)[] {
  return [...path, key];
}
