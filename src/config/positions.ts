/**
 * Maps a path inside a YAML document to line:column: the one position-aware YAML parse, for the
 * config and for OpenSLO documents. Documents are *loaded* with js-yaml's safe schema; this second
 * parse (eemeli/yaml) is only consulted to point error messages at the right place.
 */
import { LineCounter, parseAllDocuments, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import type { ConfigPath } from './errors.js';

interface Position { readonly line: number; readonly column: number }

export type Locator = (path: ConfigPath, atKey?: boolean) => Position | undefined;

/** The locator of the (single) document of a YAML source. */
export function yamlLocator(source: string): Locator {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false, uniqueKeys: false });
  return locatorOf(doc.contents, lineCounter);
}

/** One locator per non-empty document of a multi-document YAML stream, in order. */
export function yamlDocumentLocators(source: string): Locator[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(source, { lineCounter, uniqueKeys: false });
  return Array.isArray(docs) ? docs.filter((d) => d.contents !== null).map((d) => locatorOf(d.contents, lineCounter)) : [];
}

function locatorOf(contents: unknown, lineCounter: LineCounter): Locator {
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return (path, atKey = false) => {
    let node: unknown = contents;
    let best: Position | undefined = at((node as Node | null)?.range?.[0]);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) return best;
        const keyPos = at((pair.key as Node | null)?.range?.[0]);
        if (last && atKey) return keyPos ?? best;
        node = pair.value;
        best = at((node as Node | null)?.range?.[0]) ?? keyPos ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (node === undefined) return best;
        best = at((node as Node).range?.[0]) ?? best;
      } else {
        return best;
      }
    }
    return best;
  };
}
