// Child processes in tests, always bounded: each runs under a timeout, after which it is killed
// (SIGKILL) and the test fails saying so; async ones are also killed and awaited when the test ends
// early. A hung npm or CLI then fails its test instead of blocking the worker past vitest's timeout.
import {
  spawn,
  spawnSync,
  type ChildProcess,
  type SpawnOptions,
  type SpawnSyncOptions,
} from "node:child_process";

/** spawnSync with a timeout (default 100 s) and SIGKILL; throws when the child was killed for it. */
export function spawnSyncBounded(
  file: string,
  args: string[],
  options: SpawnSyncOptions & { timeout?: number } = {},
) {
  const timeout = options.timeout ?? 100_000;
  const result = spawnSync(file, args, { encoding: "utf8", ...options, timeout, killSignal: "SIGKILL" });
  if (
    result.signal === "SIGKILL" ||
    (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT"
  )
    throw new Error(
      `\`${file} ${args.join(" ")}\` ran past ${timeout} ms and was killed:\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  return result as typeof result & { stdout: string; stderr: string };
}

/** Kills a child (SIGTERM, then SIGKILL after `graceMs`) and waits until it has exited. */
export async function killAndWait(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** spawn, with its output collected; killed (SIGKILL) past `timeout` ms, which rejects. */
export function spawnBounded(file: string, args: string[], options: SpawnOptions & { timeout: number }) {
  const { timeout, ...spawnOptions } = options;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout);
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut)
        reject(
          new Error(
            `\`${file} ${args.join(" ")}\` ran past ${timeout} ms and was killed:\n${stdout}${stderr}`,
          ),
        );
      else resolve({ code, stdout, stderr });
    });
  });
}
