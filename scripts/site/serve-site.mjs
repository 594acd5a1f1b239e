// Serves the built docs site on 127.0.0.1 (port 8080, or DOCS_PORT): for `npm start`, and with
// port 0 for the browser test.
import http from "node:http";
import sirv from "sirv";
import { siteDir } from "./build-site.mjs";

/**
 * @param {{ dir?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function serveDocs({ dir = siteDir, port = Number(process.env.DOCS_PORT ?? 8080) } = {}) {
  // dev: read files on each request, so a page rebuilt with `npm run docs` shows on reload.
  const server = http.createServer(sirv(dir, { dev: true }));
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(new Error(`The docs server could not listen on 127.0.0.1:${port} (${error.message}). Set DOCS_PORT to use another port.`)),
    );
    server.listen(port, "127.0.0.1", () => {
      const close = () =>
        new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close });
    });
  });
}
