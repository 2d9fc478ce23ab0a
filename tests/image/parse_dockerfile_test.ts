import { assertEquals, assertThrows } from "../assert.ts";
import { DockerfileError, parseDockerfile, stageNamed } from "./parse_dockerfile.ts";

const TEXT = `# syntax=docker/dockerfile:1
ARG V=1.0
FROM base:\${V} AS build
WORKDIR /app
COPY . .
ENV OUT=/out
# a comment inside the instructions
RUN make \\
 && cp x $OUT
FROM scratch AS small
COPY --from=build /app/x /x
FROM base:\${V} AS run
WORKDIR /app
COPY --from=build /app/a /app/b ./
USER deno
ENTRYPOINT ["run", "--flag"]
CMD ["--port", "80"]
`;

Deno.test("parseDockerfile reads stages, arguments, COPY sources, RUN as written, and the start command", () => {
  const [build, small, run] = parseDockerfile(TEXT);
  assertEquals([build.name, build.base, small.base, run.base], ["build", "base:1.0", "scratch", "base:1.0"]);
  assertEquals(build.steps, [
    { kind: "COPY", from: undefined, sources: ["."], dest: ".", workdir: "/app" },
    // The shell expands $OUT, not BuildKit.
    { kind: "RUN", command: "make  && cp x $OUT", workdir: "/app", env: { OUT: "/out" } },
  ]);
  assertEquals(run.steps[0], {
    kind: "COPY",
    from: "build",
    sources: ["/app/a", "/app/b"],
    dest: "./",
    workdir: "/app",
  });
  assertEquals([run.user, run.entrypoint, run.cmd], ["deno", ["run", "--flag"], ["--port", "80"]]);
  assertEquals(parseDockerfile(TEXT, { V: "2" })[0].base, "base:2");
  assertEquals(stageNamed([build, small, run], "small"), small);
});

Deno.test("parseDockerfile refuses what the image tests do not read, naming the line", () => {
  assertThrows(() => parseDockerfile("FROM a\nADD x /x\n"), DockerfileError, "line 2: instruction ADD");
  assertThrows(() => parseDockerfile("FROM a\nCOPY --chown=1 x /x\n"), DockerfileError, "COPY flags");
  assertThrows(() => parseDockerfile("RUN x\n"), DockerfileError, "before FROM");
  assertThrows(() => stageNamed(parseDockerfile("FROM a AS b\n"), "c"), DockerfileError, "no stage c");
});
