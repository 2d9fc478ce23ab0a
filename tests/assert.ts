/**
 * Assertions for the suite. jsr:@std/assert cannot be fetched here, so these wrap node:assert
 * with std's names.
 *
 * @module
 */
import assert from "node:assert/strict";

export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

export function assert_(condition: unknown, message?: string): asserts condition {
  assert.ok(condition, message);
}
export { assert_ as assert };

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  assert.match(actual, pattern, message);
}

export function assertThrows(
  fn: () => unknown,
  errorClass?: new (...args: never[]) => Error,
  includes?: string,
): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "Expected the function to throw");
  if (errorClass) {
    assert.ok(caught instanceof errorClass, `Expected ${errorClass.name}, got ${(caught as Error).name}`);
  }
  if (includes) {
    assert.ok(
      (caught as Error).message.includes(includes),
      `Expected "${includes}" in "${(caught as Error).message}"`,
    );
  }
  return caught as Error;
}

export async function assertRejects(fn: () => Promise<unknown>, includes?: string): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, "Expected the promise to reject");
  if (includes) {
    assert.ok(
      (caught as Error).message.includes(includes),
      `Expected "${includes}" in "${(caught as Error).message}"`,
    );
  }
  return caught as Error;
}
