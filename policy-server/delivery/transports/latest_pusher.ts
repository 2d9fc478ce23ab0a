/**
 * Pushes the latest blob generation to one delivery target, in the background, until it lands.
 *
 * - {@linkcode LatestPusher.offer} never waits: the request that made a new generation answers at
 *   once, whatever the target does.
 * - One push at a time. A generation offered while another is in flight or waiting for its retry
 *   replaces any older pending one: the target only ever needs the latest.
 * - A failed push is retried with exponential backoff (with jitter), unless something newer is
 *   pending, which then goes out at the next attempt instead.
 *
 * @module
 */

/** What a pusher delivers: one blob generation. */
export interface Offer {
  generation: number;
  sha256: string;
}

/** A delivery target: applies the blob of `offer` somewhere, throwing if it did not land. */
export interface PushTarget {
  /** For logs and status: `kubernetes istio-system/wasmroute`, `gitops wasmplugin.yaml`. */
  readonly name: string;
  /** Metric label: `kubernetes`, `gitops`. */
  readonly kind: string;
  /** Resolves to the generation actually delivered (a newer one if `offer`'s is gone). */
  push(offer: Offer, signal: AbortSignal): Promise<number>;
}

export interface PusherStatus {
  target: string;
  /** The generation waiting to go out (after a failure: its retry). */
  pending?: number;
  inFlight?: number;
  lastSuccess?: { generation: number; at: string };
  lastFailure?: { generation: number; at: string; error: string; attempts: number };
  /** Failed attempts in a row for the pending generation. */
  consecutiveFailures: number;
}

export interface PusherOptions {
  /** Delay before the first retry (default 500 ms); doubles per failure. */
  initialBackoffMs?: number;
  /** Longest delay between retries (default 30 s). */
  maxBackoffMs?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter] (default 0.2). */
  jitter?: number;
  /** Each attempt is aborted after this long (default 15 s). */
  attemptTimeoutMs?: number;
  /** Called after every attempt. */
  onResult?: (result: PushResult) => void;
}

export type PushResult =
  | { ok: true; target: PushTarget; generation: number; ms: number }
  | { ok: false; target: PushTarget; generation: number; ms: number; error: unknown; retryInMs: number };

const key = (o: Offer) => `${o.generation}:${o.sha256}`;

export class LatestPusher {
  readonly target: PushTarget;
  readonly #options: Required<Omit<PusherOptions, "onResult">> & Pick<PusherOptions, "onResult">;
  #pending?: Offer;
  #inFlight?: Offer;
  #delivered?: Offer;
  #failures = 0;
  #lastSuccess?: PusherStatus["lastSuccess"];
  #lastFailure?: PusherStatus["lastFailure"];
  /** Whether {@linkcode LatestPusher.#run} is running; set and cleared synchronously. */
  #active = false;
  #running?: Promise<void>;
  #wake?: () => void;
  #sleeping?: ReturnType<typeof setTimeout>;
  readonly #stop = new AbortController();

  constructor(target: PushTarget, options: PusherOptions = {}) {
    this.target = target;
    this.#options = {
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      jitter: options.jitter ?? 0.2,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 15_000,
      onResult: options.onResult,
    };
  }

  /**
   * Queues `offer` unless it is already delivered, in flight or queued, or older than any of those;
   * returns at once.
   */
  offer(offer: Offer): void {
    if (this.#stop.signal.aborted) return;
    const newest = this.#pending ?? this.#inFlight ?? this.#delivered;
    if (newest && (offer.generation < newest.generation || key(offer) === key(newest))) return;
    this.#pending = offer;
    if (!this.#active) {
      this.#active = true;
      this.#running = this.#run();
    }
  }

  /** Resolves when nothing is pending or in flight (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#active) await this.#running;
  }

  /** Drops what is pending, cancels a retry wait and aborts the attempt in flight. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#pending = undefined;
    this.#wake?.();
    if (this.#active) await this.#running?.catch(() => {});
  }

  status(): PusherStatus {
    return {
      target: this.target.name,
      ...(this.#pending && { pending: this.#pending.generation }),
      ...(this.#inFlight && { inFlight: this.#inFlight.generation }),
      ...(this.#lastSuccess && { lastSuccess: this.#lastSuccess }),
      ...(this.#lastFailure && { lastFailure: this.#lastFailure }),
      consecutiveFailures: this.#failures,
    };
  }

  async #run(): Promise<void> {
    try {
      await this.#loop();
    } finally {
      this.#active = false;
    }
  }

  async #loop(): Promise<void> {
    while (this.#pending && !this.#stop.signal.aborted) {
      const offer = this.#pending;
      this.#pending = undefined;
      this.#inFlight = offer;
      const started = performance.now();
      const signal = AbortSignal.any([
        this.#stop.signal,
        AbortSignal.timeout(this.#options.attemptTimeoutMs),
      ]);
      try {
        const generation = await this.target.push(offer, signal);
        this.#inFlight = undefined;
        this.#delivered = offer;
        this.#failures = 0;
        this.#lastSuccess = { generation, at: new Date().toISOString() };
        this.#report({
          ok: true,
          target: this.target,
          generation,
          ms: performance.now() - started,
        });
      } catch (error) {
        this.#inFlight = undefined;
        if (this.#stop.signal.aborted) return;
        this.#failures++;
        // Retry this one unless something newer arrived meanwhile.
        this.#pending ??= offer;
        const retryInMs = this.#backoff();
        this.#lastFailure = {
          generation: offer.generation,
          at: new Date().toISOString(),
          error: errorText(error),
          attempts: this.#failures,
        };
        this.#report({
          ok: false,
          target: this.target,
          generation: offer.generation,
          ms: performance.now() - started,
          error,
          retryInMs,
        });
        await this.#sleep(retryInMs);
      }
    }
  }

  /** Tells `onResult`; a reporter that throws must not stop the pushing. */
  #report(result: PushResult): void {
    try {
      this.#options.onResult?.(result);
    } catch {
      // Logging and metrics are best effort.
    }
  }

  #backoff(): number {
    const { initialBackoffMs, maxBackoffMs, jitter } = this.#options;
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(this.#failures - 1, 30));
    return Math.round(base * (1 - jitter + 2 * jitter * Math.random()));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        clearTimeout(this.#sleeping);
        this.#wake = undefined;
        resolve();
      };
      this.#sleeping = setTimeout(() => this.#wake?.(), ms);
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
