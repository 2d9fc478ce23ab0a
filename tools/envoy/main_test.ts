import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { findEnvoy, NO_ENVOY } from "../../simulator/envoy/find_envoy.ts";
import { main, runLocalEnvoy } from "./main.ts";
import { serveEnvoyRelease } from "./serve_envoy_release.ts";

const root = new URL("../../", import.meta.url).pathname;
const FUNC_E = join(root, ".envoy/bin/func-e");
const envoy = await findEnvoy();
const funcE = await Deno.stat(FUNC_E).then(() => FUNC_E, () => undefined);
if (!envoy) console.log(NO_ENVOY);
else if (!funcE) {
  console.log("func-e loop test skipped: no .envoy/bin/func-e (tools/ensure_envoy.sh installs it with Go)");
}

Deno.test("without func-e or Envoy the local loop says how to install func-e, exits 1 and builds nothing", async () => {
  const empty = await Deno.makeTempDir();
  const err: string[] = [];
  let built = false;
  try {
    const code = await runLocalEnvoy({
      target: join(root, "examples/header-routing"),
      build: () => Promise.resolve(built = true),
      searchPath: empty,
      log: () => {},
      error: (l) => err.push(l),
    });
    assertEquals(code, 1);
    assertMatch(err.join("\n"), /func-e is not on PATH/);
    assertEquals(built, false, "the filter was built for a run that could not start");
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("main refuses a bad port before doing anything", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (m: string) => errors.push(m);
  try {
    assertEquals(await main(["examples/header-routing", "--port", "http"]), 1);
    assertEquals(await main(["--bogus"]), 2);
  } finally {
    console.error = original;
  }
  assertMatch(errors[0], /--port "http" is not a port number/);
});

/** The README's func-e section: each `task envoy` command with the curls that follow it. */
function readmeLoops(readme: string): { target: string; lines: string[] }[] {
  const loops: { target: string; lines: string[] }[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split("\n")) {
      const start = /task envoy (\S+)/.exec(line);
      if (start) loops.push({ target: start[1], lines: [] });
      else if (loops.length && line.trim()) loops[loops.length - 1].lines.push(line);
    }
  }
  return loops;
}

/** Joins continued lines (`\` at the end, or a pipeline continued on the next line). */
function commands(lines: string[]): { command: string; comment: string }[] {
  const out: { command: string; comment: string }[] = [];
  for (const line of lines) {
    const [code, comment = ""] = line.split(/\s+#\s*/);
    const last = out[out.length - 1];
    if (last && (/\\$/.test(last.command) || /^\s*\|/.test(code))) {
      last.command = `${last.command.replace(/\\$/, "")} ${code.trim()}`;
    } else if (code.trim()) out.push({ command: code.trim(), comment: comment.trim() });
    else if (last) last.comment += ` ${comment.trim()}`;
  }
  return out;
}

Deno.test({
  name:
    "the README's func-e loop: func-e downloads Envoy (from a loopback release server) and the curls answer as written",
  ignore: !envoy || !funcE,
  fn: async () => {
    const readme = await Deno.readTextFile(join(root, "README.md"));
    const loops = readmeLoops(readme);
    assert(loops.length >= 3, "the README shows fewer than three task envoy runs");
    const home = await Deno.makeTempDir({ prefix: "wasmroute-func-e-" });
    const release = await serveEnvoyRelease(envoy!, join(root, ".envoy"));
    const bin = await Deno.makeTempDir();
    await Deno.symlink(funcE!, join(bin, "func-e"));
    try {
      for (const { target, lines } of loops) {
        const port = 18000 + Math.floor(Math.random() * 1000), admin = port + 1000;
        const log: string[] = [];
        let stop = () => {};
        const done = runLocalEnvoy({
          target: join(root, target),
          build: () => Promise.resolve(),
          listenerPort: port,
          adminPort: admin,
          searchPath: bin,
          env: {
            FUNC_E_DATA_HOME: join(home, "data"),
            FUNC_E_CONFIG_HOME: join(home, "config"),
            FUNC_E_STATE_HOME: join(home, "state"),
            ENVOY_VERSIONS_URL: release.versionsUrl,
            PATH: Deno.env.get("PATH") ?? "",
          },
          log: (l) => log.push(l),
          error: (l) => log.push(l),
          onStarted: (s) => (stop = s),
        });
        try {
          await listening(port, done, log);
          for (const { command, comment } of commands(lines)) {
            const out = await sh(command.replaceAll("localhost:10000", `localhost:${port}`));
            await checkAnswer(target, command, comment, out, log);
          }
        } finally {
          stop();
          await done;
        }
      }
      // func-e's own download path ran: the binary it installed is the one under test.
      const installed = join(home, "data", "envoy-versions", release.version, "bin", "envoy");
      assert(await Deno.stat(installed).then(() => true, () => false), `func-e did not install ${installed}`);
    } finally {
      await release.close();
      await Deno.remove(home, { recursive: true });
      await Deno.remove(bin, { recursive: true });
    }
  },
});

/** What a README line promises: `→ backend` (the answer names it), or a canary share (~N backend). */
async function checkAnswer(target: string, command: string, comment: string, out: string, log: string[]) {
  const where = `${target}: ${command}`;
  const arrow = /→\s*(\S+)/.exec(comment);
  if (arrow) return assertMatch(out, new RegExp(`"backend":"${arrow[1].replace(/[|.]/g, "\\$&")}"`), where);
  const shares = [...comment.matchAll(/~(\d+)\s+([\w-]+)/g)];
  if (shares.length) {
    for (const [, n, name] of shares) {
      const got = Number(new RegExp(`(\\d+) "backend":"[^"]*/${name}:`).exec(out)?.[1] ?? 0);
      assert(Math.abs(got - Number(n)) <= 12, `${where}: ${got} to ${name}, README says ~${n}\n${out}`);
    }
    return;
  }
  if (/answered by ([\w-]+)/.test(comment)) {
    const backend = /answered by ([\w-]+)/.exec(comment)![1];
    assertMatch(out, new RegExp(`"backend":"[^"]*/${backend}:`), where);
    if (/logs the copy/.test(comment + command)) {
      // The copy is an HTTP call the filter does not wait for: it may land just after the answer.
      for (let i = 0; i < 40 && !log.some((l) => /-shadow/.test(l)); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      assert(
        log.some((l) => /-shadow/.test(l)),
        `${where}: no mirrored copy reached an echo server\n${log.join("\n")}`,
      );
    }
  }
}

async function sh(command: string): Promise<string> {
  const { stdout, stderr, success } = await new Deno.Command("sh", { args: ["-c", command] }).output();
  const out = new TextDecoder().decode(stdout);
  if (!success) throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
  return out;
}

async function listening(port: number, done: Promise<number>, log: string[]): Promise<void> {
  let exited: number | undefined;
  done.then((c) => (exited = c));
  for (let i = 0; i < 600; i++) {
    if (exited !== undefined) throw new Error(`the local loop exited with ${exited}\n${log.join("\n")}`);
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listens on ${port} after 30 s\n${log.join("\n")}`);
}
