/**
 * Duplicated fields (a key written twice in one object), which the parsers themselves settle
 * silently — the last one wins, as in the API server's lenient decoding — but which strict decoding
 * refuses: `duplicate field "spec.rules"`.
 *
 * @module
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Document } from "yaml";

/** Where a duplicated key is, from the parsed value's root: keys and array indices. */
export type ValuePath = (string | number)[];

/**
 * The duplicated keys of a JSON text that `JSON.parse` accepted, in document order, each as the
 * path of its second (or later) occurrence.
 */
export function jsonDuplicateFields(text: string): ValuePath[] {
  const out: ValuePath[] = [];
  // One frame per open object or array: its keys so far, or its next index.
  const frames: ({ keys: Set<string>; key?: string } | { index: number })[] = [];
  const path = (): ValuePath => frames.map((f) => "keys" in f ? f.key! : f.index).slice(0, frames.length);
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = frames.at(-1);
      if (expectKey && top && "keys" in top) {
        // Most keys have no escapes: their text is their value.
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? JSON.parse(`"${raw}"`) as string : raw;
        if (top.keys.has(key)) out.push([...path().slice(0, -1), key]);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      frames.push({ keys: new Set() });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      frames.push({ index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames.at(-1);
      if (top && "index" in top) top.index++;
      else expectKey = true;
    }
  }
  return out;
}

/** Index of the quote closing the JSON string that opens at `start` (one not escaped). */
function stringEnd(text: string, start: number): number {
  // indexOf skips the string's contents natively, most of a manifest's bytes.
  for (let i = text.indexOf('"', start + 1); i !== -1; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === 0x5c /* \ */) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return text.length - 1;
}

/** The duplicated keys of one YAML document parsed with `uniqueKeys: false`, in document order. */
export function yamlDuplicateFields(doc: Document): ValuePath[] {
  const out: ValuePath[] = [];
  const walk = (node: unknown, path: ValuePath) => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        if (seen.has(key)) out.push([...path, key]);
        seen.add(key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return out;
}

/** `["spec", "rules", 0, "name"]` → `spec.rules[0].name`: how Kubernetes writes a field path. */
export function fieldPathOf(path: ValuePath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out;
}
