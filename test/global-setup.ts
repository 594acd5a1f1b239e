// One Prism mock for the whole test run, serving the bundled spec that users consume.
import type { TestProject } from "vitest/node";
import { startMock } from "../scripts/mock.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

let stopMock: (() => Promise<void>) | undefined;

export async function setup(project: TestProject) {
  const { url, stop } = await startMock({ port: 0 });
  stopMock = stop;
  project.provide("prismUrl", url);
}

export async function teardown() {
  await stopMock?.();
}
