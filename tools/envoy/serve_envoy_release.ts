/**
 * Serves an Envoy binary the way func-e downloads releases: a versions list and a tarball laid out as
 * `envoy-vX-linux-amd64/bin/envoy`, on loopback. func-e only takes an http(s) `ENVOY_VERSIONS_URL`,
 * so this lets its own download path run against the binary under test, offline.
 *
 * @module
 */
import { join } from "node:path";
import { Buffer } from "node:buffer";

/** A running release server. */
export interface EnvoyRelease {
  /** For `ENVOY_VERSIONS_URL`. */
  versionsUrl: string;
  version: string;
  close(): Promise<void>;
}

/** The version an Envoy binary reports, e.g. `1.40.0`. */
export async function envoyVersion(envoy: string): Promise<string> {
  const { stdout } = await new Deno.Command(envoy, { args: ["--version"] }).output();
  const m = /version: [0-9a-f]+\/(\d+\.\d+\.\d+)\//.exec(new TextDecoder().decode(stdout));
  if (!m) throw new Error(`${envoy} --version says no version`);
  return m[1];
}

/**
 * Packs `envoy` into a tarball (cached in `cacheDir`, gzip: func-e takes .tar.gz as well as .tar.xz)
 * and serves it with its versions list.
 */
export async function serveEnvoyRelease(envoy: string, cacheDir: string): Promise<EnvoyRelease> {
  const version = await envoyVersion(envoy);
  const dist = `envoy-v${version}-linux-amd64`;
  const tarball = `${dist}.tar.gz`;
  const tarPath = join(cacheDir, tarball);
  if (!await Deno.stat(tarPath).then(() => true, () => false)) {
    const stage = await Deno.makeTempDir({ dir: cacheDir });
    await Deno.mkdir(join(stage, dist, "bin"), { recursive: true });
    await Deno.copyFile(envoy, join(stage, dist, "bin", "envoy"));
    const tar = await new Deno.Command("tar", { args: ["-czf", `${tarPath}.tmp`, "-C", stage, dist] })
      .output();
    await Deno.remove(stage, { recursive: true });
    if (!tar.success) throw new Error(`tar failed: ${new TextDecoder().decode(tar.stderr)}`);
    await Deno.rename(`${tarPath}.tmp`, tarPath);
  }
  const bytes = await Deno.readFile(tarPath);
  const sha256 = Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (req): Response => {
    const path = new URL(req.url).pathname;
    if (path === "/envoy-versions.json") {
      return Response.json({
        latestVersion: version,
        versions: {
          [version]: {
            releaseDate: "2026-10-01",
            tarballs: { "linux/amd64": `http://127.0.0.1:${server.addr.port}/${tarball}` },
          },
        },
        sha256sums: { [tarball]: sha256 },
      });
    }
    if (path === `/${tarball}`) {
      return new Response(bytes, { headers: { "content-type": "application/gzip" } });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    versionsUrl: `http://127.0.0.1:${server.addr.port}/envoy-versions.json`,
    version,
    close: () => server.shutdown(),
  };
}
