/**
 * One request budget for every route group (API, console, docs): how large a body may be, how long
 * it may take to arrive, and how many bodies are read at once. It runs before any handler or
 * middleware that reads a body, and reads nothing itself: the body is read, if at all, by whoever
 * parses it after the cheap checks (authentication, scope, media type) have passed, through a stream
 * that enforces the size and the deadline.
 *
 * Hono's own `bodyLimit` buffers a chunked body whole before `next()`, which would read the body of
 * a request that is about to be refused for its token, and it knows no deadline.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { StatusError } from "../model/kube_status.ts";

export interface RequestBudgetOptions {
  /** Largest body accepted, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Time from the request's arrival to its body's last byte (408 beyond). */
  bodyTimeoutMs: number;
  /** Bodies read at once; a request whose body would be one more is answered 503 (Retry-After). */
  maxConcurrentBodies: number;
}

/** Defaults fit a policy server: 1 MiB, 10 s, 32 bodies (at most 32 MiB of bodies in memory). */
export const DEFAULT_BUDGET: RequestBudgetOptions = {
  maxBodyBytes: 1 << 20,
  bodyTimeoutMs: 10_000,
  maxConcurrentBodies: 32,
};

/** The Content-Length a request declares, when it declares one and is not chunked. */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("Content-Length");
  if (value === null || headers.has("Transfer-Encoding")) return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

const tooLarge = (max: number) => new StatusError(413, `the request body is larger than ${max} bytes`);

/** The middleware; one instance per server, since it counts the bodies being read. */
export function requestBudget(options: Partial<RequestBudgetOptions> = {}): MiddlewareHandler {
  const budget = { ...DEFAULT_BUDGET, ...options };
  const slots = { inFlight: 0, max: budget.maxConcurrentBodies };
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return await next();
    if ((declaredLength(c.req.raw.headers) ?? 0) > budget.maxBodyBytes) {
      c.header("Connection", "close");
      throw tooLarge(budget.maxBodyBytes);
    }
    const deadline = new Deadline(budget.bodyTimeoutMs);
    const reading = new BoundedBody(body, budget.maxBodyBytes, deadline, slots);
    try {
      c.req.raw = new Request(c.req.raw, { body: reading.stream, duplex: "half" } as RequestInit);
      await next();
    } finally {
      deadline.clear();
      reading.release();
    }
    if (reading.refusedForSlots) c.res.headers.set("Retry-After", "1");
    // A body left unread (a refusal before parsing) would keep the connection waiting for its bytes.
    if (!reading.finished) c.res.headers.set("Connection", "close");
  };
}

/** A timer whose expiry rejects {@linkcode Deadline.expired}; cleared when the request is done. */
class Deadline {
  readonly expired: Promise<never>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  constructor(readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(
        () => reject(new StatusError(408, `the request body did not arrive within ${ms / 1000} s`)),
        ms,
      );
    });
    this.expired.catch(() => {}); // a body nobody reads must not make an unhandled rejection
  }
  clear(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * A request body read through the budget: it takes one of the shared slots when its first byte is
 * asked for (a request refused before that never holds one), and fails with a 413 past the size
 * limit, a 408 once the deadline expires, or a 503 when every slot is taken.
 */
class BoundedBody {
  readonly stream: ReadableStream<Uint8Array>;
  finished = false;
  refusedForSlots = false;
  #holding = false;

  constructor(
    body: ReadableStream<Uint8Array>,
    max: number,
    deadline: Deadline,
    readonly slots: { inFlight: number; max: number },
  ) {
    const reader = body.getReader();
    let size = 0;
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          this.#acquire();
          const { done, value } = await Promise.race([reader.read(), deadline.expired]);
          if (done) {
            this.finished = true;
            this.release();
            return controller.close();
          }
          size += value.byteLength;
          if (size > max) throw tooLarge(max);
          controller.enqueue(value);
        } catch (error) {
          // Stop taking bytes from the connection: the request is refused.
          reader.cancel().catch(() => {});
          this.release();
          throw error;
        }
      },
      cancel: (reason) => {
        this.release();
        return reader.cancel(reason);
      },
    });
  }

  #acquire(): void {
    if (this.#holding) return;
    if (this.slots.inFlight >= this.slots.max) {
      this.refusedForSlots = true;
      throw new StatusError(503, `${this.slots.inFlight} request bodies are being read; retry in a second`);
    }
    this.slots.inFlight++;
    this.#holding = true;
  }

  /** Gives the slot back (once). */
  release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.slots.inFlight--;
  }
}
