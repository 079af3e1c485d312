import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './issues.js';

/** A parsed YAML document that can say where a config path is in the source. */
export interface YamlSource {
  readonly value: unknown;
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: readonly (string | number)[], atKey?: boolean): { line: number; column: number } | undefined;
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
      locate: (path, atKey) => locate(doc, lineCounter, path, atKey === true),
    },
  };
}

function locate(doc: Document, lc: LineCounter, path: readonly (string | number)[], atKey: boolean) {
  let node: Node | null | undefined = doc.contents;
  let best: number | undefined = node?.range?.[0];
  for (const [depth, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(key));
      if (pair === undefined) break;
      // Point at the value when there is one, else at the key (e.g. "key:" with nothing after it).
      const keyNode = pair.key as Node | null;
      node = pair.value as Node | null;
      const wantKey = atKey && depth === path.length - 1;
      best = (wantKey ? keyNode?.range?.[0] : undefined) ?? node?.range?.[0] ?? keyNode?.range?.[0] ?? best;
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
