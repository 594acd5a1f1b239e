// A test that needs a system toolchain: skipped with the reason and the fix on a machine without
// it, a failure under CI (so CI never goes green without running it).
import type { TestContext } from "vitest";
import { cellSkipReason } from "../../scripts/generators/matrix.mjs";
import { inCI, locate, missingReason, toolchains } from "../../scripts/lib/toolchains.mjs";

/** The note a skip carries; the summary reporter reads the toolchain's name back out of it. */
export const SKIP_NOTE_PREFIX = "missing toolchain ";

const located = new Map<string, string | undefined>();

/** Where the named toolchain runs from, or undefined; looked up once per test file. */
export function findToolchain(name: string): string | undefined {
  if (!located.has(name)) {
    const toolchain = toolchains.find((candidate) => candidate.name === name);
    if (!toolchain) throw new Error(`scripts/lib/toolchains.mjs lists no toolchain named ${name}`);
    located.set(name, locate(toolchain));
  }
  return located.get(name);
}

/** The toolchain's command or file; otherwise skips the test (fails it under CI) saying how to get it. */
export function requireToolchain(context: TestContext, name: string): string {
  const found = findToolchain(name);
  if (found) return found;
  const reason = `${SKIP_NOTE_PREFIX}${name}: ${missingReason(toolchains.find((toolchain) => toolchain.name === name)!)}`;
  if (inCI) throw new Error(`${reason}. Under CI a missing toolchain is a failure, not a skip.`);
  return context.skip(reason);
}

/**
 * Skips the test (fails it under CI) when a generator cell's programs (its recipe's `commands`) are
 * not on PATH, or a Debian library it needs is missing (its `missingPackages`), naming them and the
 * Debian packages its recipe says bring them.
 */
export function requireCellCommands(
  context: TestContext,
  cell: {
    id: string;
    language: string;
    commands: string[];
    debianPackages?: string[];
    missingPackages?: () => string[];
  },
) {
  const skip = cellSkipReason(cell);
  if (skip === undefined) return;
  const reason = `${SKIP_NOTE_PREFIX}${cell.id}: ${skip}`;
  if (inCI) throw new Error(`${reason}. Under CI a missing toolchain is a failure, not a skip.`);
  context.skip(reason);
}
