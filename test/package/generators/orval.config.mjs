// orval: a fetch client whose base URL and headers come from calls/orval-fetch.ts (orval's
// documented mutator), and zod schemas.
export default {
  callbell: {
    input: { target: "./callbell-openapi.json" },
    output: {
      target: "./out/orval/callbell.ts",
      client: "fetch",
      mode: "single",
      override: { mutator: { path: "./calls/orval-fetch.ts", name: "orvalFetch" } },
    },
  },
  callbellZod: {
    input: { target: "./callbell-openapi.json" },
    output: { target: "./out/orval/callbell.zod.ts", client: "zod", mode: "single" },
  },
};
