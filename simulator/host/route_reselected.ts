import { AbiVersion } from "./types.ts";

/**
 * Whether Envoy picks a stream's route again after the filter ran, so that a decision header the
 * filter wrote takes effect: the filter called the `clear_route_cache` foreign function, or — for a
 * module of ABI 0.2.1, the only version Envoy does this for (../shared/README.md) — it changed a
 * request header during the request phase. Neither host reports this directly: pwhost counts the two
 * causes apart, and so does this one.
 */
export function routeReselected(
  stream: { routeCacheClears: number; requestHeaderMutations: number },
  abiVersion: number | undefined,
): boolean {
  return stream.routeCacheClears > 0 ||
    (abiVersion === AbiVersion.V0_2_1 && stream.requestHeaderMutations > 0);
}
