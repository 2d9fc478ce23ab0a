/**
 * Headless Chromium for the console's browser test and screenshots: Debian's `/usr/bin/chromium`
 * through `playwright-core` (no browser download). Missing Chromium is an error, not a skip.
 *
 * @module
 */
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

export const CHROMIUM = Deno.env.get("WASMROUTE_CHROMIUM") ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser test needs it ` +
        "(Debian: apt-get install -y chromium; or set WASMROUTE_CHROMIUM to a Chromium binary).",
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
