// One Prism mock for the whole test run, serving the bundled spec that users consume, through the
// same code the package ships as `callbell-openapi/mock` (from source here, so no build is needed).
import type { TestProject } from "vitest/node";
import { startMock } from "../src/mock/start-mock.js";

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
