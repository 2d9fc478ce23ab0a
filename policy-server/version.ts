/**
 * The release of wasmroute this tree is: the tag of its images (`ghcr.io/wasmroute/policy-server`,
 * `ghcr.io/wasmroute/filter`), which the manifests and docs pin (tests/manifests/versions_test.ts).
 *
 * @module
 */
export const VERSION = "0.1.0";
