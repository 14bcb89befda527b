// The browser check: for each framework, start its test server (the `sse-test-server`
// binary of the sse-conformance package), open its page in Debian's Chromium, and compare
// what the page's EventSource dispatched (type, data, lastEventId) with what the server
// says the encoding rules promise (`/expected`). Prints "N passed, N failed"; exits
// non-zero on any failure.
//
//   node check.mjs [path/to/sse-test-server]   (default: ../../target/debug/sse-test-server)

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { withChromium } from './chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const serverBin = resolve(process.argv[2] ?? join(here, '../../target/debug/sse-test-server'));
const frameworks = ['axum', 'actix', 'warp'];

/** Starts one framework's server; resolves with its base URL and a stop function. */
function startServer(framework) {
  const child = spawn(serverBin, ['--framework', framework, '--addr', '127.0.0.1:0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', (code) => done(code)));
  const stop = async () => {
    child.stdin.end(); // the server shuts down gracefully when its stdin closes
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) ok({ base: match[1], stop });
      else fail(new Error(`${framework}: unexpected first line ${JSON.stringify(line)}`));
    });
    child.once('error', fail);
    exited.then((code) => fail(new Error(`${framework}: server exited early (${code})`)));
  });
}

/** Runs the check against one framework; returns a list of problems (empty: passed). */
async function check(context, framework) {
  const problems = [];
  let server;
  try {
    server = await startServer(framework);
    const base = server.base;
    const expected = await (await fetch(`${base}/expected`)).json();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      await page.waitForFunction(() => window.finished === true, null, { timeout: 15_000 });
      const received = await page.evaluate(() => window.received);
      const errors = await page.evaluate(() => window.errors ?? 0);
      const rows = (list) => list.map((e) => [e.type, e.data, e.lastEventId]);
      if (JSON.stringify(rows(received)) !== JSON.stringify(rows(expected))) {
        problems.push(
          `received ${JSON.stringify(rows(received))}\nexpected ${JSON.stringify(rows(expected))}`,
        );
      }
      if (errors !== 0) problems.push(`EventSource reported ${errors} error(s) before 'done'`);
    } finally {
      await page.close();
    }
  } catch (error) {
    problems.push(String(error));
  } finally {
    const code = await server?.stop();
    if (server && code !== 0) problems.push(`server exit status ${code} (graceful shutdown failed?)`);
  }
  return problems;
}

let passed = 0;
let failed = 0;
try {
  await withChromium('sse-browser-check', async (context) => {
    for (const framework of frameworks) {
      const problems = await check(context, framework);
      if (problems.length === 0) {
        passed += 1;
        console.log(`ok     ${framework}: EventSource received the fixed sequence exactly`);
      } else {
        failed += 1;
        console.log(`FAILED ${framework}:\n  ${problems.join('\n  ')}`);
      }
    }
  });
} catch (error) {
  // Counted on top of the frameworks checked: Chromium failing after they all passed
  // still fails the run.
  console.log(`FAILED to run the browser: ${error}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
