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
  /**
   * Bodies read at once; a request whose body would be one more waits for a slot (its bytes stay in
   * the socket), within its deadline.
   */
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
  const slots = new Slots(budget.maxConcurrentBodies);
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
      reading.close();
    }
    // A body left unread (a refusal before parsing) would keep the connection waiting for its bytes:
    // ask the client to close it (Deno.serve 2.9 itself keeps it open; see docs/configuration.md).
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

/** The bodies read at once, and the requests waiting for their turn (first come, first served). */
class Slots {
  inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly max: number) {}

  async take(deadline: Deadline): Promise<void> {
    if (this.inFlight >= this.max) {
      let turn!: () => void;
      const mine = new Promise<void>((resolve) => turn = resolve);
      this.#waiting.push(turn);
      try {
        await Promise.race([mine, deadline.expired]);
      } catch (error) {
        // Expired while waiting: leave the queue, or pass a turn given meanwhile on.
        const at = this.#waiting.indexOf(turn);
        if (at >= 0) this.#waiting.splice(at, 1);
        else this.give();
        throw error;
      }
      return; // the slot was handed over by give()
    }
    this.inFlight++;
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes straight on: inFlight is unchanged
    else this.inFlight--;
  }
}

/**
 * A request body read through the budget: it takes one of the shared slots when its first byte is
 * asked for (a request refused before that never holds one, nor waits), and fails with a 413 past
 * the size limit or a 408 once the deadline expires, waiting for a slot included.
 */
class BoundedBody {
  readonly stream: ReadableStream<Uint8Array>;
  finished = false;
  #holding = false;
  #closed = false;

  constructor(
    body: ReadableStream<Uint8Array>,
    max: number,
    deadline: Deadline,
    readonly slots: Slots,
  ) {
    const reader = body.getReader();
    let size = 0;
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          if (!this.#holding) {
            await this.slots.take(deadline);
            // The request may have been answered while this read waited: give the turn back.
            if (this.#closed) return this.slots.give();
            this.#holding = true;
          }
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

  /** The request is answered: the slot goes back, and a read still waiting for one takes none. */
  close(): void {
    this.#closed = true;
    this.release();
  }

  /** Gives the slot back (once). */
  release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.slots.give();
  }
}
