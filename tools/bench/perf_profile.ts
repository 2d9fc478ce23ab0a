/**
 * Where a process spends its CPU, from Linux `perf` (Debian's linux-perf): software-clock samples
 * (`cpu-clock`: hardware counters are often missing in a VM) of the process while something runs,
 * summed by the object they fell in. Envoy's release binary is stripped, so its own functions are
 * not told apart; what can be told apart is Envoy's C++ (the V8 runtime, the proxy-wasm host, the
 * HTTP codec and router are all in it), the code V8 compiled from the wasm module (`[JIT]`), libc and
 * the kernel (sockets, syscalls).
 *
 * @module
 */

/** Shares of the samples, by where they fell. */
export interface PerfShares {
  samples: number;
  /** Fractions summing to 1. */
  envoy: number;
  jit: number;
  libc: number;
  kernel: number;
  other: number;
}

/** Whether `perf record` works here (installed, and allowed to sample). */
export async function perfAvailable(): Promise<boolean> {
  try {
    const out = await new Deno.Command("perf", {
      args: ["record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Samples `pid` while `during` runs; returns its result and the shares. */
export async function perfShares<T>(
  pid: number,
  during: () => Promise<T>,
): Promise<{ value: T; shares: PerfShares }> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-perf-" });
  try {
    const data = `${dir}/perf.data`;
    const recorder = new Deno.Command("perf", {
      args: ["record", "-q", "-e", "cpu-clock", "-F", "2999", "-o", data, "-p", String(pid)],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // perf attaches asynchronously: give it a moment before the load starts.
    await new Promise((r) => setTimeout(r, 200));
    const value = await during();
    recorder.kill("SIGINT");
    await recorder.status;
    const report = await new Deno.Command("perf", {
      args: ["report", "-i", data, "--no-children", "--sort", "dso", "-g", "none", "--stdio"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return { value, shares: parsePerfReport(new TextDecoder().decode(report.stdout)) };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Reads `perf report --sort dso --stdio` (its `# Samples: 12K` header and `78.39%  envoy` lines). */
export function parsePerfReport(report: string): PerfShares {
  const m = /^# Samples: (\d+)(K?)/m.exec(report);
  const samples = m ? Number(m[1]) * (m[2] ? 1000 : 1) : 0;
  const shares: PerfShares = { samples, envoy: 0, jit: 0, libc: 0, kernel: 0, other: 0 };
  for (const line of report.split("\n")) {
    const row = /^\s+([\d.]+)%\s+(.+?)\s*$/.exec(line);
    if (!row) continue;
    const share = Number(row[1]) / 100;
    const dso = row[2];
    if (dso === "envoy") shares.envoy += share;
    else if (dso.startsWith("[JIT]")) shares.jit += share;
    else if (/^libc[.-]/.test(dso)) shares.libc += share;
    else if (dso.startsWith("[kernel")) shares.kernel += share;
    else shares.other += share;
  }
  return shares;
}
