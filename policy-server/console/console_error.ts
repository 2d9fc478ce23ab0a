/**
 * A console page's refusal: shown as an error page with its status, its message as written.
 *
 * @module
 */

/** An error a console page shows to the user as it is, with `status`. */
export class ConsoleError extends Error {
  override name = "ConsoleError";

  constructor(readonly status: number, message: string) {
    super(message);
  }
}
