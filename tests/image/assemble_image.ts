/**
 * An image's files without a Docker engine: each stage of the Dockerfile is played into a folder
 * that stands for its root filesystem. `COPY` copies from the build context or another stage's
 * folder; `RUN` runs on this machine with the stage's working directory and environment mapped
 * into that folder. The build stage is kept between runs under a key of everything it depends on
 * (its instructions, the Deno version, every context file), as BuildKit's layer cache keeps it.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { buildContext } from "./build_context.ts";
import { type CopyStep, type RunStep, type Stage, stageNamed } from "./parse_dockerfile.ts";
import { Buffer } from "node:buffer";

/**
 * What a base image brings that our stages rely on: denoland/deno sets `DENO_DIR=/deno-dir` and has
 * the user `deno` (uid 1993); the binary is this machine's Deno, which must be the image's version.
 */
export const BASE_IMAGE_ENV: Record<string, Record<string, string>> = {
  "denoland/deno": { DENO_DIR: "/deno-dir" },
  scratch: {},
};

export function baseEnv(stage: Stage): Record<string, string> {
  const env = BASE_IMAGE_ENV[stage.base.split(":")[0]];
  if (!env) throw new Error(`base image ${stage.base} is not known to the image tests`);
  return env;
}

/** A stage's files in a folder standing for its root (`/app/x` is `${root}/app/x`). */
export interface StageFiles {
  stage: Stage;
  root: string;
}

export interface AssembleOptions {
  /** The repository (the build context). */
  context: string;
  dockerfile: string;
  /** Where stages are played; the cached build stage lives under it too. */
  workDir: string;
  /** Kept build stages, by key (default `$TMPDIR/wasmroute-image`). */
  cacheDir?: string;
  log?: (line: string) => void;
}

const inRoot = (root: string, path: string) => join(root, path);

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { ...options, args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${text}`);
  return text;
}

/** `cp -a`, hard-linked (`-l`) where both ends are on one file system, as layers are immutable. */
async function copyTree(from: string, to: string, link: boolean): Promise<void> {
  await Deno.mkdir(dirname(to), { recursive: true });
  const flags = link ? "-al" : "-a";
  if ((await Deno.lstat(from)).isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    await run("cp", [flags, "--no-target-directory", `${from}/.`, to]);
  } else await run("cp", [flags, from, to]);
}

/** Where a COPY puts one source: a directory's contents go into `dest`; a file into or as `dest`. */
function destination(step: CopyStep, source: string, isDir: boolean): string {
  const dest = step.dest.startsWith("/") ? step.dest : join(step.workdir, step.dest);
  if (isDir) return dest;
  return step.dest.endsWith("/") || step.dest === "." || step.sources.length > 1
    ? join(dest, basename(source))
    : dest;
}

async function copyStep(
  step: CopyStep,
  root: string,
  stages: Map<string, StageFiles>,
  options: AssembleOptions,
) {
  for (const source of step.sources) {
    if (step.from) {
      const from = stages.get(step.from);
      if (!from) throw new Error(`COPY --from=${step.from}: that stage was not built first`);
      const path = inRoot(from.root, source.startsWith("/") ? source : join(from.stage.workdir, source));
      const isDir = (await Deno.lstat(path)).isDirectory;
      await copyTree(path, inRoot(root, destination(step, source, isDir)), true);
    } else if (source === ".") {
      const dest = inRoot(root, destination(step, source, true));
      for (const file of await buildContext(options.context, options.dockerfile)) {
        await Deno.mkdir(dirname(join(dest, file)), { recursive: true });
        const from = join(options.context, file);
        if ((await Deno.lstat(from)).isSymlink) {
          await Deno.symlink(await Deno.readLink(from), join(dest, file));
        } else await Deno.copyFile(from, join(dest, file));
      }
    } else throw new Error(`COPY ${source}: only "." is read from the build context by the image tests`);
  }
}

/** PATH for RUN steps and for the pod: a folder holding `deno` (this machine's binary) first. */
export async function denoPathDir(workDir: string): Promise<string> {
  const dir = join(workDir, "deno-bin");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.remove(join(dir, "deno")).catch(() => {});
  await Deno.symlink(Deno.execPath(), join(dir, "deno"));
  return dir;
}

/**
 * This machine's way out to the registries (proxies, the CA bundle of an intercepting proxy): a
 * `docker build` on it would have them too.
 */
function networkEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) =>
      /proxy|^SSL_CERT|^DENO_(CERT|TLS)|^NPM_CONFIG|^NODE_EXTRA_CA_CERTS$/i.test(k)
    ),
  );
}

async function runStep(step: RunStep, stage: Stage, root: string, workDir: string): Promise<void> {
  // Container paths in the environment (DENO_DIR=/deno-dir) point into the stage's folder.
  const env = Object.fromEntries(
    Object.entries({ ...baseEnv(stage), ...step.env }).map((
      [k, v],
    ) => [k, v.startsWith("/") ? inRoot(root, v) : v]),
  );
  await Deno.mkdir(inRoot(root, step.workdir), { recursive: true });
  await run("/bin/sh", ["-c", step.command], {
    cwd: inRoot(root, step.workdir),
    clearEnv: true,
    env: {
      ...networkEnv(),
      ...env,
      HOME: join(workDir, "home"),
      PATH: `${await denoPathDir(workDir)}:/usr/bin:/bin`,
      NO_COLOR: "1",
    },
  });
}

async function sha256(data: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>)).toString("hex");
}

/** What the stage's files depend on: its steps, the Deno version, and the context's bytes. */
async function stageKey(stage: Stage, options: AssembleOptions): Promise<string> {
  const parts = [JSON.stringify({ stage, deno: Deno.version.deno })];
  if (stage.steps.some((s) => s.kind === "COPY" && !s.from)) {
    for (const file of await buildContext(options.context, options.dockerfile)) {
      const path = join(options.context, file);
      const link = (await Deno.lstat(path)).isSymlink;
      parts.push(file, link ? `-> ${await Deno.readLink(path)}` : await sha256(await Deno.readFile(path)));
    }
  }
  return (await sha256(new TextEncoder().encode(parts.join("\n")))).slice(0, 24);
}

/** Plays one stage into `root`. */
async function playStage(
  stage: Stage,
  root: string,
  stages: Map<string, StageFiles>,
  options: AssembleOptions,
) {
  await Deno.mkdir(root, { recursive: true });
  for (const step of stage.steps) {
    if (step.kind === "COPY") await copyStep(step, root, stages, options);
    else await runStep(step, stage, root, options.workDir);
  }
}

/**
 * The files of `target` and of every stage it copies from, in dependency order. Stages with `RUN`
 * steps (the build) come from the cache when their key is unchanged; the others are played fresh
 * into `options.workDir` (hard links into the cache, so this is quick).
 */
export async function assembleStage(
  stages: Stage[],
  target: string,
  options: AssembleOptions,
  built = new Map<string, StageFiles>(),
): Promise<StageFiles> {
  const stage = stageNamed(stages, target);
  for (const step of stage.steps) {
    if (step.kind === "COPY" && step.from && !built.has(step.from)) {
      await assembleStage(stages, step.from, options, built);
    }
  }
  let root = join(options.workDir, "stages", stage.name);
  if (stage.steps.some((s) => s.kind === "RUN")) {
    const cache = options.cacheDir ?? join(Deno.env.get("TMPDIR") ?? "/tmp", "wasmroute-image");
    const key = await stageKey(stage, options);
    root = join(cache, `${stage.name}-${key}`);
    const done = join(root, ".complete");
    if (!await Deno.stat(done).then(() => true, () => false)) {
      options.log?.(`building stage ${stage.name} (${key}) into ${root}`);
      await Deno.remove(root, { recursive: true }).catch(() => {});
      await playStage(stage, root, built, options);
      await Deno.writeTextFile(done, new Date().toISOString());
      await pruneOthers(cache, stage.name, basename(root));
    }
  } else {
    await playStage(stage, root, built, options);
  }
  const files = { stage, root };
  built.set(stage.name, files);
  return files;
}

/** Keeps one cached build per stage: each is a few hundred MB. */
async function pruneOthers(cache: string, name: string, keep: string): Promise<void> {
  for await (const entry of Deno.readDir(cache)) {
    if (entry.name.startsWith(`${name}-`) && entry.name !== keep) {
      await Deno.remove(join(cache, entry.name), { recursive: true }).catch(() => {});
    }
  }
}

/** Every regular file of a stage's root with its size in bytes (each path counted, as a layer stores it). */
export async function fileSetSize(root: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        files++;
        bytes += (await Deno.lstat(path)).size;
      }
    }
  };
  await walk(root);
  return { files, bytes };
}
