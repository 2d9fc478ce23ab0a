/**
 * A linear pre-check of a JSON or YAML body, run before the parser: bounded nesting and document
 * count. The parsers are recursive or slow on such inputs (500,000 nested `[` took 9.4 s in the YAML
 * parser, and a recursive walk can overflow the stack); one pass over the text costs milliseconds.
 *
 * The YAML scan is conservative: it may count as nesting a bracket the parser would read as text
 * (and so refuse odd input), but never skips nesting the parser would see: quotes and brackets open
 * something only where a node can start, as in the parser.
 *
 * @module
 */
import { ResourceError } from "../model/resource_error.ts";

export interface BodyShapeLimits {
  /** Deepest nesting of objects, arrays, flow and block collections (default 64). */
  maxDepth: number;
  /** Most YAML documents in one body (default 1000, what one store write can hold). */
  maxDocuments: number;
}

export const DEFAULT_SHAPE_LIMITS: BodyShapeLimits = { maxDepth: 64, maxDocuments: 1000 };

/**
 * Throws a 400 {@linkcode ResourceError} naming the line when `text` nests deeper or holds more
 * documents than `limits` allow.
 *
 * @example
 * ```ts
 * import { checkBodyShape } from "./check_body_shape.ts";
 * checkBodyShape('{"a": [1, 2]}', "json"); // fine
 * try {
 *   checkBodyShape("[".repeat(100), "json");
 *   throw new Error("not refused");
 * } catch (e) {
 *   if (!String(e).includes("nested")) throw e;
 * }
 * ```
 */
export function checkBodyShape(
  text: string,
  format: "json" | "yaml",
  limits: Partial<BodyShapeLimits> = {},
): void {
  const { maxDepth, maxDocuments } = { ...DEFAULT_SHAPE_LIMITS, ...limits };
  const refuse = (what: string, at: number) => {
    const line = lineOf(text, at);
    throw ResourceError.badRequest(`the body ${what} at line ${line}; refused before parsing`);
  };
  if (format === "json") return scanJson(text, maxDepth, refuse);
  scanYaml(text, maxDepth, maxDocuments, refuse);
}

type Refuse = (what: string, at: number) => never;

function scanJson(text: string, maxDepth: number, refuse: Refuse): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      i = endOfDoubleQuoted(text, i);
    } else if (ch === 0x5b /* [ */ || ch === 0x7b /* { */) {
      if (++depth > maxDepth) refuse(`nests deeper than ${maxDepth} levels`, i);
    } else if (ch === 0x5d /* ] */ || ch === 0x7d /* } */) {
      depth--;
    }
  }
}

/** Index of the closing quote of the `"…"` opening at `start` (or the end of the text). */
function endOfDoubleQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c /* \ */) i++;
    else if (ch === 0x22) return i;
  }
  return text.length;
}

/** Index of the closing quote of the `'…'` opening at `start` (`''` is an escaped quote). */
function endOfSingleQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x27) continue;
    if (text.charCodeAt(i + 1) === 0x27) i++;
    else return i;
  }
  return text.length;
}

const isSpace = (ch: number) => ch === 0x20 || ch === 0x09;
const isBreak = (ch: number) => ch === 0x0a || ch === 0x0d;
const isBlank = (ch: number) => isSpace(ch) || isBreak(ch) || Number.isNaN(ch);

/**
 * YAML: flow depth (brackets outside quotes and comments) plus block depth (an indentation stack,
 * each leading `- `, `? ` or `: ` opening one more level), skipping block scalars' content.
 */
function scanYaml(text: string, maxDepth: number, maxDocuments: number, refuse: Refuse): void {
  const indents: number[] = []; // columns of the open block collections
  let flow = 0;
  let documents = 1;
  let i = 0;
  while (i < text.length) {
    // --- start of a line
    const lineStart = i;
    while (text.charCodeAt(i) === 0x20) i++;
    let column = i - lineStart;
    if (isBreak(text.charCodeAt(i)) || i >= text.length) {
      i = nextLine(text, i);
      continue;
    }
    if (column === 0 && flow === 0 && text.startsWith("---", i) && isBlank(text.charCodeAt(i + 3))) {
      if (++documents > maxDocuments) refuse(`holds more than ${maxDocuments} documents`, i);
      indents.length = 0;
      i += 3;
    }
    if (flow === 0) {
      // Each leading indicator opens a nested block at its own column: "- - - x" is three levels.
      for (;;) {
        while (indents.length && indents[indents.length - 1] >= column) indents.pop();
        indents.push(column);
        if (indents.length > maxDepth) refuse(`nests deeper than ${maxDepth} levels`, i);
        const ch = text.charCodeAt(i);
        if ((ch === 0x2d || ch === 0x3f || ch === 0x3a) && isBlank(text.charCodeAt(i + 1))) {
          i++;
          while (isSpace(text.charCodeAt(i))) i++;
          column = i - lineStart;
          continue;
        }
        break;
      }
    }
    // --- the rest of the line
    let scalarStart = true; // where a quoted scalar may open
    let blockScalar = false;
    while (i < text.length && !isBreak(text.charCodeAt(i))) {
      const ch = text.charCodeAt(i);
      if (isSpace(ch)) {
        i++;
        continue;
      }
      if (ch === 0x23 /* # */ && (i === lineStart || isBlank(text.charCodeAt(i - 1)))) {
        while (i < text.length && !isBreak(text.charCodeAt(i))) i++;
        break;
      }
      if (scalarStart && ch === 0x22) {
        i = endOfDoubleQuoted(text, i) + 1;
        scalarStart = false;
        continue;
      }
      if (scalarStart && ch === 0x27) {
        i = endOfSingleQuoted(text, i) + 1;
        scalarStart = false;
        continue;
      }
      if ((ch === 0x5b || ch === 0x7b) && scalarStart) {
        // A flow collection opens only where a node may start; elsewhere a bracket is plain text.
        if (++flow + indents.length > maxDepth) refuse(`nests deeper than ${maxDepth} levels`, i);
        scalarStart = true;
      } else if ((ch === 0x5d || ch === 0x7d) && flow > 0) {
        flow--;
        scalarStart = false;
      } else if (
        ch === 0x2c /* , */ ||
        ((ch === 0x3a || ch === 0x2d || ch === 0x3f) && isBlank(text.charCodeAt(i + 1)))
      ) {
        scalarStart = true;
      } else if ((ch === 0x7c || ch === 0x3e) && scalarStart && flow === 0) {
        blockScalar = true; // "key: |" — its content lines follow
        scalarStart = false;
      } else {
        scalarStart = false;
      }
      i++;
    }
    i = nextLine(text, i);
    if (blockScalar) i = skipIndentedAfter(text, i, indentOf(text, lineStart));
  }
}

function nextLine(text: string, i: number): number {
  while (i < text.length && !isBreak(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 0x0d) i++;
  if (text.charCodeAt(i) === 0x0a) i++;
  return i;
}

function indentOf(text: string, lineStart: number): number {
  let i = lineStart;
  while (text.charCodeAt(i) === 0x20) i++;
  return i - lineStart;
}

/** Skips the lines indented deeper than `indent` (and blank ones): a block scalar's content. */
function skipIndentedAfter(text: string, i: number, indent: number): number {
  while (i < text.length) {
    const column = indentOf(text, i);
    const ch = text.charCodeAt(i + column);
    if (!isBreak(ch) && i + column < text.length && column <= indent) break;
    i = nextLine(text, i);
  }
  return i;
}

/** 1-based line of offset `at`. */
function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
