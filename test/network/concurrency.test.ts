// 1,000 updateContact calls in flight at once over loopback: every one resolves to its own
// contact, and afterwards nothing the calls opened is left (no socket, no timer), so a process
// that made them could exit.
import { describe, expect, it } from "vitest";
import { createCallbellClient } from "../../src/client/index.js";
import { startScriptedServer, type Step } from "../fakes/scripted-api.js";

const CALLS = 1_000;

/** How many of each kind of resource keep the event loop alive: `{ Timeout: 3, TCPSocketWrap: 2, … }`. */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** The kinds of resource of which more are open than in `baseline`, once they have had `withinMs` to close. */
async function leftOpenBeyond(
  baseline: Record<string, number>,
  withinMs: number,
): Promise<Record<string, number>> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const extra = Object.fromEntries(
      Object.entries(activeResources())
        .map(([kind, count]) => [kind, count - (baseline[kind] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
    if (Object.keys(extra).length === 0 || Date.now() > deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("concurrency", () => {
  it(`${CALLS} calls in flight at once all resolve to their own contact, and leave no handle or timer open`, async () => {
    const baseline = activeResources();

    // The server holds every answer until all the requests have arrived, so they are truly in
    // flight together; then it answers each with the uuid from its path and the name from its body.
    let arrived = 0;
    let releaseAll!: () => void;
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    let inFlight: Record<string, number> = {};
    const answerWhenAllArrived: Step = async (request, response, arrival) => {
      if (++arrived === CALLS) {
        inFlight = activeResources();
        releaseAll();
      }
      await allArrived;
      const uuid = decodeURIComponent(arrival.url.split("/").pop()!);
      const { name } = JSON.parse(arrival.body) as { name: string };
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ contact: { uuid, name, tags: [] } }));
      void request;
    };
    const server = await startScriptedServer(answerWhenAllArrived);
    const callbell = createCallbellClient({ token: "concurrency_token", baseUrl: server.url });

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, index) =>
        callbell.updateContact(`contact ${index}/😀`, { name: `Name ${index}` }),
      ),
    );
    const elapsed = performance.now() - started;

    expect(server.arrivals).toHaveLength(CALLS);
    results.forEach((contact, index) => {
      expect(contact).toEqual({ uuid: `contact ${index}/😀`, name: `Name ${index}`, tags: [] });
    });
    // While all were in flight, each held a socket and its attempt's timeout timer: the counts
    // below would show any that were left behind.
    expect(inFlight.Timeout ?? 0).toBeGreaterThanOrEqual(CALLS);
    expect(inFlight.TCPSocketWrap ?? 0).toBeGreaterThanOrEqual(CALLS);

    await server.close();
    expect(await leftOpenBeyond(baseline, 3_000)).toEqual({});
    console.log(`concurrency: ${CALLS} calls in ${Math.round(elapsed)} ms`);
  });
});
