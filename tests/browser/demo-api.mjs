// What the demo checks (demo.mjs, cluster.mjs) share around the demo binaries: a pause, a
// free port, and a chat message published through POST /publish.

import { createServer } from 'node:net';

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Publishes `data` to the `chat` topic of the demo at `base`; its id (throws unless 202). */
export async function publish(base, data) {
  const res = await fetch(`${base}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: 'chat', data }),
  });
  if (res.status !== 202) throw new Error(`publish ${data}: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}
