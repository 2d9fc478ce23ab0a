/**
 * A minimal async mutex: critical sections run one at a time, in call order.
 *
 * @module
 */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier `run` has settled; a rejection does not poison later runs. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(() => {}, () => {});
    return result;
  }
}
