import { assert, assertEquals } from "../../../tests/assert.ts";
import { LatestPusher } from "./latest_pusher.ts";
import type { Offer, PushResult, PushTarget } from "./latest_pusher.ts";

const offer = (generation: number): Offer => ({ generation, sha256: `sha-${generation}` });

/** A target whose pushes wait for the test to settle them, one by one. */
function scriptedTarget() {
  const calls: { generation: number; settle: (error?: Error) => void; signal: AbortSignal }[] = [];
  const waiters: (() => void)[] = [];
  const target: PushTarget = {
    name: "test target",
    kind: "test",
    push: (o, signal) =>
      new Promise<number>((resolve, reject) => {
        calls.push({
          generation: o.generation,
          signal,
          settle: (error) => error ? reject(error) : resolve(o.generation),
        });
        signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
        waiters.splice(0).forEach((w) => w());
      }),
  };
  /** Resolves once the target has been called `n` times. */
  const called = async (n: number) => {
    while (calls.length < n) await new Promise<void>((r) => waiters.push(r));
    return calls[n - 1];
  };
  return { target, calls, called };
}

const fast = { initialBackoffMs: 5, maxBackoffMs: 20, jitter: 0 };

Deno.test("LatestPusher.offer returns at once; a failed push is retried with backoff until it lands", async () => {
  const { target, calls, called } = scriptedTarget();
  const results: PushResult[] = [];
  const pusher = new LatestPusher(target, { ...fast, onResult: (r) => results.push(r) });
  const t0 = performance.now();
  pusher.offer(offer(1));
  assert(performance.now() - t0 < 5, "offer does not wait for the target");
  (await called(1)).settle(new Error("API server said 500"));
  (await called(2)).settle(new Error("connection refused"));
  (await called(3)).settle();
  await pusher.idle();
  assertEquals(calls.map((c) => c.generation), [1, 1, 1]);
  assertEquals(results.map((r) => [r.ok, r.generation]), [[false, 1], [false, 1], [true, 1]]);
  assertEquals(results.flatMap((r) => r.ok ? [] : [r.retryInMs]), [5, 10], "exponential backoff");
  const status = pusher.status();
  assertEquals([status.lastSuccess?.generation, status.consecutiveFailures, status.pending], [
    1,
    0,
    undefined,
  ]);
  assertEquals(status.lastFailure?.error, "connection refused");
});

Deno.test("LatestPusher: a newer generation supersedes an older pending one", async () => {
  const { target, calls, called } = scriptedTarget();
  const pusher = new LatestPusher(target, fast);
  pusher.offer(offer(2));
  const first = await called(1);
  // While 2 is in flight, 3 and then 4 arrive: only 4 needs to go out next.
  pusher.offer(offer(3));
  pusher.offer(offer(4));
  assertEquals(pusher.status().pending, 4);
  first.settle();
  (await called(2)).settle();
  await pusher.idle();
  assertEquals(calls.map((c) => c.generation), [2, 4]);
});

Deno.test("LatestPusher: a retry goes out with the newest generation, not the one that failed", async () => {
  const { target, calls, called } = scriptedTarget();
  const pusher = new LatestPusher(target, fast);
  pusher.offer(offer(5));
  const first = await called(1);
  pusher.offer(offer(6));
  first.settle(new Error("503"));
  (await called(2)).settle();
  await pusher.idle();
  assertEquals(calls.map((c) => c.generation), [5, 6]);
  assertEquals(pusher.status().lastSuccess?.generation, 6);
});

Deno.test("LatestPusher ignores what it delivered, has in flight or queued, and anything older", async () => {
  const { target, calls, called } = scriptedTarget();
  const pusher = new LatestPusher(target, fast);
  pusher.offer(offer(7));
  const first = await called(1);
  pusher.offer(offer(7)); // in flight
  pusher.offer(offer(6)); // older
  first.settle();
  await pusher.idle();
  pusher.offer(offer(7)); // delivered
  pusher.offer(offer(3));
  await pusher.idle();
  assertEquals(calls.map((c) => c.generation), [7]);
  // The same generation with other bytes (another process' write) is new.
  pusher.offer({ generation: 7, sha256: "other" });
  (await called(2)).settle();
  await pusher.idle();
  assertEquals(calls.length, 2);
});

Deno.test("LatestPusher.stop aborts the push in flight and drops the pending one", async () => {
  const { target, calls, called } = scriptedTarget();
  const pusher = new LatestPusher(target, { ...fast, initialBackoffMs: 60_000 });
  pusher.offer(offer(1));
  const first = await called(1);
  pusher.offer(offer(2));
  await pusher.stop();
  assert(first.signal.aborted);
  pusher.offer(offer(3));
  await pusher.idle();
  assertEquals(calls.map((c) => c.generation), [1]);
});

Deno.test("LatestPusher.stop cancels a long retry wait at once", async () => {
  const { target, called } = scriptedTarget();
  const pusher = new LatestPusher(target, { initialBackoffMs: 60_000, jitter: 0 });
  pusher.offer(offer(1));
  (await called(1)).settle(new Error("down"));
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(pusher.status().pending, 1);
  const t0 = performance.now();
  await pusher.stop();
  assert(performance.now() - t0 < 100);
});

Deno.test("LatestPusher aborts an attempt that takes longer than attemptTimeoutMs and retries", async () => {
  let attempts = 0;
  const target: PushTarget = {
    name: "slow",
    kind: "test",
    push: (o, signal) =>
      new Promise((resolve, reject) => {
        if (++attempts > 1) return resolve(o.generation);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  };
  const results: PushResult[] = [];
  const pusher = new LatestPusher(target, {
    ...fast,
    attemptTimeoutMs: 30,
    onResult: (r) => results.push(r),
  });
  pusher.offer(offer(1));
  await pusher.idle();
  assertEquals(results.map((r) => r.ok), [false, true]);
});
