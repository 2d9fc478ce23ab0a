/**
 * Runs an image's files the way the kubelet runs a Deployment's container, without a container
 * engine: in a private mount and network namespace (`unshare`, as root), the stage's folder becomes
 * the root filesystem (`chroot`) with this machine's system folders bound read-only under it for
 * the Deno binary, the pod's volumes mounted where the Deployment mounts them, the service account
 * where Kubernetes puts it, and the root read-only when the container asks for it. The network
 * namespace has only loopback: nothing reaches a registry. The process is the image's ENTRYPOINT
 * with the container's `args` (or the image's CMD), as the container's user, with the base image's,
 * the Dockerfile's and the container's environment (`valueFrom.secretKeyRef` read from the given
 * Secrets, as the kubelet does).
 *
 * A `probe` command runs in the same network namespace (outside the chroot) while the container
 * runs; its standard output is returned with the container's output and exit status.
 *
 * @module
 */
import { join } from "node:path";
import { baseEnv, type StageFiles } from "./assemble_image.ts";
import { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The namespaces and mounts this needs: root, util-linux's unshare, chroot, iproute2's ip. */
export async function podRunnerAvailable(): Promise<string | null> {
  if (Deno.uid() !== 0) return "needs root (mount namespaces and chroot)";
  try {
    const out = await new Deno.Command("unshare", {
      args: ["--mount", "--net", "--fork", "ip", "link", "set", "lo", "up"],
    })
      .output();
    return out.success
      ? null
      : `unshare --mount --net failed: ${new TextDecoder().decode(out.stderr).trim()}`;
  } catch (error) {
    return `unshare or ip is missing: ${(error as Error).message}`;
  }
}

export interface PodRun {
  /** The container's exit status (after SIGTERM at the probe's end, if it was still running). */
  status: number;
  /** What the container wrote (standard output and error). */
  logs: string;
  /** The probe's standard output. */
  probe: string;
  probeStatus: number;
}

export interface PodOptions {
  image: StageFiles;
  /** The Deployment's pod template `spec` and its container (rendered manifests). */
  pod: Json;
  container: Json;
  /** Secrets by name, `data` as plain strings (what `kubectl create secret --from-literal` stores). */
  secrets: Record<string, Record<string, string>>;
  /** The pod's namespace (the service account's `namespace` file). */
  namespace: string;
  /** A command and arguments run beside the container, in its network namespace. */
  probe: string[];
  probeEnv?: Record<string, string>;
  workDir: string;
}

/** The container's environment: the base image's, the Dockerfile's, then the container's own. */
export function containerEnv(
  options: Pick<PodOptions, "image" | "container" | "secrets">,
): Record<string, string> {
  const env: Record<string, string> = { ...baseEnv(options.image.stage), ...options.image.stage.env };
  for (const e of options.container.env ?? []) {
    if ("value" in e) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const { name, key, optional } = e.valueFrom.secretKeyRef;
      const value = options.secrets[name]?.[key];
      if (value === undefined && !optional) {
        // The kubelet does not start the container: CreateContainerConfigError.
        throw new Error(`env ${e.name}: secret ${name} has no key ${key}: the pod would not start`);
      }
      if (value !== undefined) env[e.name] = value;
    } else throw new Error(`env ${e.name}: only value and secretKeyRef are read by the image tests`);
  }
  return env;
}

/** The container's process: `command` or ENTRYPOINT, then `args` or CMD (Kubernetes' rules). */
export function containerArgv(image: StageFiles, container: Json): string[] {
  const entrypoint = container.command ?? image.stage.entrypoint ?? [];
  const args = container.args ?? (container.command ? [] : image.stage.cmd ?? []);
  return [...entrypoint, ...args];
}

const q = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;

/** The uid:gid the container runs as: securityContext (container, then pod), else the image's USER. */
function runAs(options: PodOptions): { uid: number; gid: number } {
  const sc = { ...options.pod.securityContext, ...options.container.securityContext };
  const users: Record<string, number> = { root: 0, deno: 1993 }; // /etc/passwd of denoland/deno
  const user = options.image.stage.user ?? "root";
  const uid = sc.runAsUser ?? users[user] ?? Number(user);
  return { uid, gid: sc.runAsGroup ?? uid };
}

/** Folders standing for the pod's volumes: emptyDir and PVC alike start empty, owned by fsGroup. */
async function volumeDirs(options: PodOptions): Promise<{ path: string; dir: string }[]> {
  const out = [];
  for (const mount of options.container.volumeMounts ?? []) {
    const volume = options.pod.volumes.find((v: Json) => v.name === mount.name);
    if (!volume?.emptyDir && !volume?.persistentVolumeClaim) {
      throw new Error(`volume ${mount.name}: not read`);
    }
    const dir = join(options.workDir, "volumes", mount.name);
    await Deno.mkdir(dir, { recursive: true });
    const group = options.pod.securityContext?.fsGroup;
    if (group !== undefined) await Deno.chown(dir, 0, group);
    await Deno.chmod(dir, 0o2775);
    out.push({ path: mount.mountPath, dir });
  }
  return out;
}

/** The service account Kubernetes mounts (automountServiceAccountToken): token, CA, namespace. */
async function serviceAccountDir(options: PodOptions, ca: string): Promise<string> {
  const dir = join(options.workDir, "serviceaccount");
  await Deno.mkdir(dir, { recursive: true });
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex");
  await Deno.writeTextFile(join(dir, "token"), token);
  await Deno.writeTextFile(join(dir, "ca.crt"), ca);
  await Deno.writeTextFile(join(dir, "namespace"), options.namespace);
  return dir;
}

/**
 * Runs the container and the probe; resolves when the probe has finished and the container has
 * stopped (SIGTERM, as the kubelet stops a pod, then up to 10 s).
 */
export async function runPod(options: PodOptions & { serviceAccountCa: string }): Promise<PodRun> {
  const root = join(options.workDir, "rootfs");
  const { uid, gid } = runAs(options);
  const env = {
    ...containerEnv(options),
    // What the kubelet adds: the API server's Service (nothing answers there in this namespace).
    KUBERNETES_SERVICE_HOST: "10.96.0.1",
    KUBERNETES_SERVICE_PORT: "443",
    HOSTNAME: "wasmroute-policy-server-0",
    PATH: `/deno-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
  };
  const volumes = await volumeDirs(options);
  const sa = options.pod.automountServiceAccountToken === false
    ? null
    : await serviceAccountDir(options, options.serviceAccountCa);
  const out = join(options.workDir, "container.log");
  const readOnly = options.container.securityContext?.readOnlyRootFilesystem === true;
  const argv = containerArgv(options.image, options.container);
  const workdir = options.image.stage.workdir;
  const script = [
    "set -e",
    "ip link set lo up",
    `mkdir -p ${q(root)}`,
    `mount -t tmpfs -o mode=755 rootfs ${q(root)}`,
    // The image's own folders (its files, bound read-only below), then the system's for the binary.
    ...["app", "deno-dir"].map((d) => `mkdir -p ${q(join(root, d))}`),
    `for d in usr etc; do mkdir -p ${q(root)}/$d; mount --rbind /$d ${q(root)}/$d; mount -o remount,bind,ro ${
      q(root)
    }/$d; done`,
    `for d in bin sbin lib lib64; do if [ -L /$d ]; then ln -s "$(readlink /$d)" ${
      q(root)
    }/$d; elif [ -d /$d ]; then mkdir ${q(root)}/$d; mount --rbind /$d ${q(root)}/$d; fi; done`,
    `mkdir -p ${q(root)}/dev ${q(root)}/proc ${q(root)}/deno-bin && mount --rbind /dev ${
      q(root)
    }/dev && mount -t proc proc ${q(root)}/proc`,
    `mount --bind ${q(Deno.execPath().replace(/\/[^/]+$/, ""))} ${q(root)}/deno-bin`,
    // The stage's files at their paths.
    `for d in $(ls -A ${q(options.image.root)}); do [ "$d" = .complete ] && continue; if [ -d ${
      q(options.image.root)
    }/$d ]; then mkdir -p ${q(root)}/$d; mount --bind ${q(options.image.root)}/$d ${
      q(root)
    }/$d; mount -o remount,bind,ro ${q(root)}/$d; else cp -a ${q(options.image.root)}/$d ${
      q(root)
    }/$d; fi; done`,
    ...volumes.map((v) =>
      `mkdir -p ${q(join(root, v.path))} && mount --bind ${q(v.dir)} ${q(join(root, v.path))}`
    ),
    ...(sa
      ? [
        `mkdir -p ${q(root)}/var/run/secrets/kubernetes.io/serviceaccount`,
        `mount --bind ${q(sa)} ${q(root)}/var/run/secrets/kubernetes.io/serviceaccount`,
        `mount -o remount,bind,ro ${q(root)}/var/run/secrets/kubernetes.io/serviceaccount`,
      ]
      : []),
    ...(readOnly ? [`mount -o remount,ro ${q(root)}`] : []),
    "set +e",
    `env -i ${
      Object.entries(env).map(([k, v]) => q(`${k}=${v}`)).join(" ")
    } chroot --userspec=${uid}:${gid} ${q(root)} /bin/sh -c ${
      q(`cd ${workdir} && exec ${argv.map(q).join(" ")}`)
    } > ${q(out)} 2>&1 &`,
    "pod=$!",
    `${options.probe.map(q).join(" ")} > ${q(join(options.workDir, "probe.out"))} &`,
    "probe_pid=$!",
    // A container that exits (a crash) ends the probe too, instead of leaving it to time out.
    'while kill -0 "$probe_pid" 2>/dev/null; do kill -0 "$pod" 2>/dev/null || { sleep 0.5; kill "$probe_pid" 2>/dev/null; break; }; sleep 0.1; done',
    'wait "$probe_pid"; probe=$?',
    // As the kubelet stops a container: SIGTERM, a grace period, then SIGKILL.
    'kill -TERM "$pod" 2>/dev/null; for i in $(seq 100); do kill -0 "$pod" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$pod" 2>/dev/null',
    'wait "$pod"; status=$?',
    `echo "$status $probe" > ${q(join(options.workDir, "status"))}`,
  ].join("\n");
  const run = await new Deno.Command("unshare", {
    args: ["--mount", "--net", "--fork", "--propagation", "private", "/bin/sh", "-c", script],
    env: options.probeEnv,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const statusText = await Deno.readTextFile(join(options.workDir, "status")).catch(() => null);
  if (statusText === null) {
    throw new Error(`the pod could not be set up:\n${new TextDecoder().decode(run.stderr)}`);
  }
  const [status, probeStatus] = statusText.trim().split(" ").map(Number);
  return {
    status,
    probeStatus,
    logs: await Deno.readTextFile(out),
    probe: await Deno.readTextFile(join(options.workDir, "probe.out")),
  };
}
