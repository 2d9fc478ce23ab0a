/**
 * A write's body text → objects, without holding the event loop: JSON (fast) and small YAML bodies
 * are decoded in place; a YAML body over {@linkcode OFF_THREAD_BYTES} is decoded in a worker, at
 * most {@linkcode MAX_WORKERS} at once and for at most {@linkcode DECODE_TIMEOUT_MS}. A worker costs
 * about 130 ms to start, which a small body would not repay.
 *
 * @module
 */
import { decodeResources } from "../model/decode_resources.ts";
import type { DecodeOptions } from "../model/decode_resources.ts";
import { ResourceError } from "../model/resource_error.ts";
import type { KubeObject } from "../model/types.ts";
import type { DecodeAnswer, DecodeRequest } from "./decode_worker.ts";

/** YAML bodies larger than this are decoded off the event loop (about 20-40 ms of parsing in place). */
export const OFF_THREAD_BYTES = 16 * 1024;
/** Workers decoding at once; each is an isolate of its own (tens of MB). */
export const MAX_WORKERS = 2;
/** A decode that takes longer is stopped: no legitimate body of 1 MiB needs it. */
export const DECODE_TIMEOUT_MS = 10_000;

const WORKER = new URL("./decode_worker.ts", import.meta.url);
let running = 0;
const waiting: (() => void)[] = [];

/**
 * `text` (already bounded and shape-checked, see {@linkcode readBodyText}) as objects, with field
 * validation as `options` say.
 *
 * @throws {ResourceError} as {@linkcode decodeResources} does; 400 for a decode past the timeout.
 */
export async function decodeBodyText(
  text: string,
  contentType: string,
  options: DecodeOptions = {},
): Promise<KubeObject[]> {
  const yaml = !/json/i.test(contentType);
  if (!yaml || text.length <= OFF_THREAD_BYTES) return decodeResources(text, contentType, options);
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const answer = await inWorker({ text, contentType, fieldValidation: options.fieldValidation });
    if ("error" in answer) {
      if ("status" in answer.error) {
        throw new ResourceError(answer.error.status, answer.error.message, answer.error.causes);
      }
      throw new Error(`decoding in a worker failed: ${answer.error.message}`);
    }
    answer.warnings.forEach((w) => options.warn?.(w));
    return answer.objects as KubeObject[];
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** One worker for one body, ended when it answers or times out. */
function inWorker(request: DecodeRequest): Promise<DecodeAnswer> {
  const worker = new Worker(WORKER, { type: "module" });
  return new Promise<DecodeAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      reject(
        ResourceError.badRequest(
          `the YAML body took more than ${DECODE_TIMEOUT_MS / 1000} s to parse; refused`,
        ),
      );
    }, DECODE_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<DecodeAnswer>) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`the decode worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
