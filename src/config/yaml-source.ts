import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './issues.js';

/** A parsed YAML document that can say where a config path is in the source. */
export interface YamlSource {
  readonly value: unknown;
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: readonly (string | number)[], atKey?: boolean): { line: number; column: number } | undefined;
}

/**
 * Parses YAML into a located source, or into issues. Never throws: whatever the YAML library
 * raises (an alias bomb, nesting deeper than the stack) becomes an issue, not a stack trace.
 */
export function parseYaml(text: string): { source: YamlSource } | { issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  let doc: Document;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const issues = doc.errors.map((e): ConfigIssue => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: [], message: `YAML syntax error: ${libraryMessage(e)}`, line: pos.line, column: pos.col };
      });
      // Too deep a nesting fails once per level on the way out: one line says it.
      return { issues: issues.filter((i, n) => n === 0 || i.message !== 'YAML syntax error: nested too deeply') };
    }
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { issues: [{ path: [], message: `YAML error: ${libraryMessage(err)}` }] };
  }
  return {
    source: {
      value,
      locate: (path, atKey) => locate(doc, lineCounter, path, atKey === true),
    },
  };
}

/** The YAML library's alias budget: an anchor used up to 99 times (fewer when it holds aliases); an alias bomb needs millions. */
const MAX_ALIAS_COUNT = 100;

function libraryMessage(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  if (/excessive alias count/i.test(text)) {
    return `too many aliases (*name) to expand (${text}); refused as a possible alias bomb`;
  }
  if (/call stack/i.test(text)) return 'nested too deeply';
  return text;
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
