/**
 * A Dockerfile read the way BuildKit reads it, as far as ours uses the syntax: stages (`FROM … AS
 * name`), build arguments with defaults (`ARG`, `${NAME}`), and the instructions that shape an
 * image's files and its start (`WORKDIR`, `COPY [--from=stage]`, `RUN`, `ENV`, `USER`,
 * `ENTRYPOINT`, `CMD`). Anything else is refused, so the image tests never silently skip a line.
 *
 * @module
 */

/** One `COPY`: sources and destination as written (`--from` names a stage, or the build context). */
export interface CopyStep {
  kind: "COPY";
  from?: string;
  sources: string[];
  dest: string;
  /** The stage's working directory when the step runs (relative destinations resolve against it). */
  workdir: string;
}

/** One `RUN` in shell form, with the working directory and environment it runs in. */
export interface RunStep {
  kind: "RUN";
  command: string;
  workdir: string;
  env: Record<string, string>;
}

export interface Stage {
  name: string;
  /** The base image, arguments substituted (`scratch` for an empty one). */
  base: string;
  steps: (CopyStep | RunStep)[];
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  expose: string[];
}

export class DockerfileError extends Error {
  override name = "DockerfileError";
}

/** Logical lines: comments and blank lines dropped, `\` continuations joined. */
function logicalLines(text: string): { line: string; at: number }[] {
  const out: { line: string; at: number }[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === "" || trimmed.startsWith("#"))) return;
    if (pending && trimmed.startsWith("#")) return; // comments inside a continued RUN
    if (!pending) start = i + 1;
    if (trimmed.endsWith("\\")) pending += trimmed.slice(0, -1) + " ";
    else {
      out.push({ line: pending + trimmed, at: start });
      pending = "";
    }
  });
  if (pending) throw new DockerfileError(`line ${start}: the last instruction ends in a continuation`);
  return out;
}

/** `["a", "b"]` (exec form) or a shell-form string run by `/bin/sh -c`. */
function commandForm(rest: string, at: number): string[] {
  if (!rest.startsWith("[")) return ["/bin/sh", "-c", rest];
  try {
    const value = JSON.parse(rest);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  } catch {
    // reported below
  }
  throw new DockerfileError(`line ${at}: not a JSON array of strings: ${rest}`);
}

/** Parses `text`; throws {@linkcode DockerfileError} naming the line of what it cannot read. */
export function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Stage[] {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const sub = (s: string) =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => args[a ?? b] ?? stages.at(-1)?.env[a ?? b] ?? m);
  for (const { line, at } of logicalLines(text)) {
    const [, instruction, rest = ""] = /^(\w+)\s*(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    const need = () => {
      if (!stage) throw new DockerfileError(`line ${at}: ${instruction} before FROM`);
      return stage;
    };
    switch (instruction?.toUpperCase()) {
      case "ARG": {
        const [name, value] = rest.split("=", 2);
        args[name] = buildArgs[name] ?? value ?? "";
        break;
      }
      case "FROM": {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
        if (!m) throw new DockerfileError(`line ${at}: FROM ${rest}`);
        stages.push({
          name: m[2] ?? String(stages.length),
          base: sub(m[1]),
          steps: [],
          workdir: "/",
          env: {},
          expose: [],
        });
        break;
      }
      case "WORKDIR": {
        const s = need();
        s.workdir = sub(rest).startsWith("/") ? sub(rest) : `${s.workdir.replace(/\/$/, "")}/${sub(rest)}`;
        break;
      }
      case "COPY": {
        const words = rest.split(/\s+/);
        const flags = words.filter((w) => w.startsWith("--"));
        const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
        if (flags.length !== (from ? 1 : 0)) throw new DockerfileError(`line ${at}: COPY flags ${flags}`);
        const paths = words.filter((w) => !w.startsWith("--")).map(sub);
        if (paths.length < 2) throw new DockerfileError(`line ${at}: COPY needs a source and a destination`);
        need().steps.push({
          kind: "COPY",
          from,
          sources: paths.slice(0, -1),
          dest: paths.at(-1)!,
          workdir: need().workdir,
        });
        break;
      }
      case "RUN":
        // Not substituted by BuildKit: the shell expands variables from the environment.
        need().steps.push({
          kind: "RUN",
          command: rest,
          workdir: need().workdir,
          env: { ...need().env },
        });
        break;
      case "ENV": {
        const [name, ...value] = rest.split(/[= ]/);
        need().env[name] = sub(value.join(" "));
        break;
      }
      case "USER":
        need().user = sub(rest);
        break;
      case "EXPOSE":
        need().expose.push(...rest.split(/\s+/));
        break;
      case "ENTRYPOINT":
        need().entrypoint = commandForm(rest, at);
        break;
      case "CMD":
        need().cmd = commandForm(rest, at);
        break;
      default:
        throw new DockerfileError(`line ${at}: instruction ${instruction} is not read by the image tests`);
    }
  }
  return stages;
}

/** The stage named `name` (a `--target`); throws when there is none. */
export function stageNamed(stages: Stage[], name: string): Stage {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new DockerfileError(`no stage ${name} (stages: ${stages.map((s) => s.name).join(", ")})`);
  return stage;
}
