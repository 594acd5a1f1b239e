// The part of newman's library API the Postman test uses (newman ships no types).
declare module "newman" {
  export interface NewmanRunFailure {
    error: { name: string; test?: string; message: string };
    source?: { name?: string };
  }
  export interface NewmanRunSummary {
    run: {
      stats: {
        requests: { total: number; failed: number };
        assertions: { total: number; failed: number };
        tests: { total: number; failed: number };
      };
      failures: NewmanRunFailure[];
      executions: { response?: { code: number } }[];
    };
  }
  export interface NewmanRunOptions {
    collection: unknown;
    environment?: unknown;
    envVar?: { key: string; value: string }[];
    reporters?: string | string[];
    timeoutRequest?: number;
  }
  export function run(
    options: NewmanRunOptions,
    callback: (error: Error | null, summary: NewmanRunSummary) => void,
  ): unknown;
  const newman: { run: typeof run };
  export default newman;
}
