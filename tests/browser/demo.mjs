// The demo in a real browser: for each demo binary (demo-axum, demo-actix, demo-warp),
// start it with short stream lifetimes and a fast clock, open its page in Debian's
// Chromium and check what a user sees: the connection state, the clock, the online
// count, a chat message sent with the form, and many messages published while the
// server keeps ending streams (--max-stream-ms): each must appear exactly once, in
// order, none lost, the browser resuming with Last-Event-ID. Then SIGTERM: exit 0.
// Then the live panel (topic `stats`) and the Disconnect/Connect button: after
// Disconnect no event arrives and the online count seen by another page drops; after
// Connect the missed chat messages arrive once, in order.
// Prints one line per check and "N passed, M failed"; exits non-zero on any failure.
//
//   node demo.mjs [--bin-dir DIR] [--screenshot FILE]
//     --bin-dir     where demo-axum, demo-actix, demo-warp are (default ../../target/debug)
//     --screenshot  also save a screenshot of the axum demo's page after a few messages

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withChromium } from './chromium.mjs';
import { freePort, publish, sleep } from './demo-api.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const binDir = resolve(option('--bin-dir') ?? join(here, '../../target/debug'));
const screenshotPath = option('--screenshot');
const binaries = ['demo-axum', 'demo-actix', 'demo-warp'];

const MAX_STREAM_MS = 1500;
const CLOCK_MS = 200;
/** Far above LIVE_MS: an exit within LIVE_MS of SIGTERM came from the streams ending,
 * not from the grace period running out. */
const GRACE_MS = 60_000;
/** Messages published while streams are being ended, and the gap between them: 5.5 s,
 * more than two of the longest stream lifetimes (1.5 x MAX_STREAM_MS), so at least two
 * streams end meanwhile. */
const BURST = 50;
const BURST_GAP_MS = 110;
/** Liveness bound for anything the page should show. */
const LIVE_MS = 15_000;


/** Starts a demo binary on a free port; resolves when /healthz answers. */
async function startDemo(binary, args) {
  let lastError;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(join(binDir, binary), ['--addr', `127.0.0.1:${port}`, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    let exitCode = null;
    const exited = new Promise((done) => child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      done(exitCode);
    }));
    child.once('error', (error) => { lastError = error; });
    const deadline = Date.now() + LIVE_MS;
    while (Date.now() < deadline && exitCode === null) {
      try {
        const res = await fetch(`${base}/healthz`);
        if (res.ok && exitCode === null) {
          const stop = async (signal = 'SIGTERM') => {
            if (exitCode !== null) return exitCode;
            child.kill(signal);
            const timer = setTimeout(() => child.kill('SIGKILL'), LIVE_MS + 5000);
            const code = await exited;
            clearTimeout(timer);
            return code;
          };
          return { base, stop, stderr: () => stderr };
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    if (exitCode === null) {
      child.kill('SIGKILL');
      throw new Error(`${binary} did not answer /healthz; stderr: ${stderr}`);
    }
    lastError = new Error(`${binary} exited (${exitCode}) at start; stderr: ${stderr}`);
  }
  throw lastError;
}

/** The chat list as the page shows it: [{id, text, system}]. */
const listed = (page) => page.$$eval('#messages li', (items) => items.map((li) => ({
  id: li.dataset.id ?? '',
  text: li.textContent,
  system: li.classList.contains('system') || !li.dataset.id,
})));

/** Runs the checks against one binary; returns [[name, problem or null], ...]. */
async function checkBinary(context, binary) {
  const results = [];
  const record = (name, problem) => results.push([name, problem]);
  let demo;
  let page;
  let second;
  try {
    demo = await startDemo(binary, [
      '--max-stream-ms', String(MAX_STREAM_MS),
      '--clock-ms', String(CLOCK_MS),
      '--shutdown-grace-ms', String(GRACE_MS),
    ]);
    page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (msg) => {
      // The browser's own favicon request is not the page's doing.
      if (msg.type() === 'error' && !msg.location().url?.endsWith('/favicon.ico')) {
        pageErrors.push(`${msg.text()} (${msg.location().url})`);
      }
    });
    // Every EventSource connection, with the Last-Event-ID it sent (network-level headers).
    const streams = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/events') {
        streams.push(request.allHeaders().then((headers) => headers['last-event-id'] ?? null));
      }
    });
    await page.goto(`${demo.base}/`);

    // 1. The connection opens.
    try {
      await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'open', null, { timeout: LIVE_MS });
      record('state open', null);
    } catch {
      record('state open', `#state is ${JSON.stringify(await page.textContent('#state'))}`);
    }

    // 2. The clock ticks: data-raw changes and is an RFC 3339 time near now.
    try {
      const raw = () => page.$eval('#clock', (el) => el.dataset.raw ?? '');
      await page.waitForFunction(() => (document.querySelector('#clock').dataset.raw ?? '') !== '', null, { timeout: LIVE_MS });
      const first = await raw();
      await page.waitForFunction((seen) => document.querySelector('#clock').dataset.raw !== seen, first, { timeout: LIVE_MS });
      const next = await raw();
      const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
      const problems = [first, next]
        .filter((t) => !rfc3339.test(t) || Math.abs(Date.parse(t) - Date.now()) > 60_000)
        .map((t) => `not an RFC 3339 time near now: ${JSON.stringify(t)}`);
      if (Date.parse(next) < Date.parse(first)) problems.push(`clock went back: ${first} then ${next}`);
      const shown = await page.textContent('#clock');
      if (!shown || shown === '–') problems.push(`#clock shows ${JSON.stringify(shown)}`);
      record('clock ticks', problems.join('; ') || null);
    } catch (error) {
      record('clock ticks', `no changing #clock data-raw: ${error.message.split('\n')[0]}`);
    }

    // 3. The online count: 1, then 2 with a second page, then 1 again.
    try {
      const online = (n) => page.waitForFunction((want) => document.querySelector('#online').textContent === want, String(n), { timeout: LIVE_MS });
      await online(1);
      second = await context.newPage();
      await second.goto(`${demo.base}/`);
      await online(2);
      await second.waitForFunction(() => document.querySelector('#online').textContent === '2', null, { timeout: LIVE_MS });
      await second.close();
      second = undefined;
      await online(1);
      record('online count 1 -> 2 -> 1', null);
    } catch (error) {
      record('online count 1 -> 2 -> 1', `#online is ${JSON.stringify(await page.textContent('#online'))}: ${error.message.split('\n')[0]}`);
    }

    // 4. A message sent with the form appears in the list, with an id.
    const sent = 'alice: hello from the form';
    try {
      await page.fill('#name', 'alice');
      await page.fill('#text', 'hello from the form');
      await page.click('#send button[type=submit]');
      await page.waitForFunction((text) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent === text && li.dataset.id), sent, { timeout: LIVE_MS });
      const problems = [];
      if ((await page.inputValue('#text')) !== '') problems.push('#text not cleared after sending');
      const error = await page.textContent('#error').catch(() => '');
      if (error) problems.push(`#error shows ${JSON.stringify(error)}`);
      record('form message listed', problems.join('; ') || null);
    } catch (error) {
      record('form message listed', `not listed: ${JSON.stringify(await listed(page))}`);
    }

    // 5. Messages published while streams keep ending: each exactly once, in order.
    try {
      const before = streams.length;
      const expected = [];
      for (let i = 0; i < BURST; i += 1) {
        const data = `burst ${i} ✓`;
        expected.push({ id: await publish(demo.base, data), text: data });
        await sleep(BURST_GAP_MS);
      }
      const last = expected[expected.length - 1];
      const problems = [];
      try {
        await page.waitForFunction((id) => [...document.querySelectorAll('#messages li')].some((li) => li.dataset.id === id), last.id, { timeout: LIVE_MS });
      } catch {
        problems.push('the last message never appeared');
      }
      const all = await listed(page);
      const messages = all.filter((m) => !m.system);
      const systemLines = all.filter((m) => m.system).map((m) => m.text);
      if (systemLines.length > 0) problems.push(`system lines (reset?): ${JSON.stringify(systemLines)}`);
      const burst = messages.filter((m) => m.text.startsWith('burst '));
      const got = burst.map((m) => `${m.id}=${m.text}`);
      const want = expected.map((m) => `${m.id}=${m.text}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const missing = want.filter((w) => !got.includes(w));
        const repeated = got.filter((g, i) => got.indexOf(g) !== i);
        problems.push(`listed ${got.length} of ${want.length}; missing ${JSON.stringify(missing)}; repeated ${JSON.stringify(repeated)}; order ${JSON.stringify(got)}`);
      }
      const formLines = messages.filter((m) => m.text === sent).length;
      if (formLines !== 1) problems.push(`the form message is listed ${formLines} times`);
      const ids = messages.map((m) => m.id);
      if (new Set(ids).size !== ids.length) problems.push(`an id is listed twice: ${JSON.stringify(ids)}`);
      const reconnects = await Promise.all(streams.slice(before));
      if (reconnects.length < 2) problems.push(`only ${reconnects.length} reconnections during ${BURST * BURST_GAP_MS} ms with --max-stream-ms ${MAX_STREAM_MS}`);
      const without = reconnects.filter((id) => !id).length;
      if (without > 0) problems.push(`${without} reconnection(s) without Last-Event-ID`);
      if (pageErrors.length > 0) problems.push(`page errors: ${JSON.stringify(pageErrors)}`);
      await page.waitForFunction(() => document.querySelector('#state').textContent === 'open', null, { timeout: LIVE_MS })
        .catch(() => problems.push('not open again after the burst'));
      record(`${BURST} messages across ${reconnects.length} stream ends, each once, in order`, problems.join('; ') || null);
    } catch (error) {
      record('messages across stream ends', String(error));
    }
  } catch (error) {
    record('start', String(error));
  } finally {
    await second?.close().catch(() => {});
    // 6. SIGTERM with the page connected: the server ends its streams and exits 0, well
    //    within the grace period (a liveness bound far below it).
    if (demo) {
      const started = Date.now();
      const code = await demo.stop('SIGTERM');
      const took = Date.now() - started;
      const problem = code !== 0
        ? `exit status ${code}; stderr: ${demo.stderr()}`
        : took > LIVE_MS ? `exit took ${took} ms (grace ${GRACE_MS} ms)` : null;
      record('SIGTERM with a page connected: streams end, exit 0 before the grace period', problem);
      if (page) {
        await page.waitForFunction(() => document.querySelector('#state').textContent !== 'open', null, { timeout: LIVE_MS })
          .then(() => record('page leaves `open` when the server is gone', null))
          .catch(() => record('page leaves `open` when the server is gone', 'still open'));
      }
    }
    await page?.close().catch(() => {});
  }
  return results;
}

/** The live panel and the Disconnect/Connect button, with a second page watching the
 * online count; returns [[name, problem or null], ...]. */
async function checkDisconnectConnect(context, binary) {
  const results = [];
  const record = (name, problem) => results.push([name, problem]);
  let demo;
  let page;
  let other;
  const wait = (p, fn, arg) => p.waitForFunction(fn, arg, { timeout: LIVE_MS });
  const online = (p, n) => wait(p, (want) => document.querySelector('#online').textContent === want, String(n));
  const listedId = (p, id) => wait(p, (want) => [...document.querySelectorAll('#messages li')].some((li) => li.dataset.id === want), id);
  try {
    demo = await startDemo(binary, ['--clock-ms', String(CLOCK_MS)]);
    page = await context.newPage();
    other = await context.newPage();
    await page.goto(`${demo.base}/`);
    await other.goto(`${demo.base}/`);

    // 1. The panel: two subscribers (both pages), and a rate once a message is published.
    try {
      await online(page, 2);
      await wait(page, () => document.querySelector('#subscribers').textContent === '2');
      const rate = await page.textContent('#rate');
      record('stats panel: 2 subscribers, events/s shown', /^\d+(\.\d+)?$/.test(rate) ? null : `#rate is ${JSON.stringify(rate)}`);
    } catch (error) {
      record('stats panel: 2 subscribers, events/s shown', `#subscribers is ${JSON.stringify(await page.textContent('#subscribers'))}: ${error.message.split('\n')[0]}`);
    }

    // 2. Disconnect: the state says so, the other page's count drops, nothing arrives.
    const beforeId = await publish(demo.base, 'before disconnect');
    await listedId(page, beforeId);
    const missed = [];
    try {
      await page.click('#toggle');
      const problems = [];
      const state = await page.textContent('#state');
      if (state !== 'disconnected') problems.push(`#state is ${JSON.stringify(state)}`);
      if ((await page.textContent('#toggle')) !== 'Connect') problems.push('the button does not say Connect');
      await online(other, 1).catch(() => problems.push('the other page still counts 2 online'));
      const lines = (await listed(page)).length;
      const clock = await page.$eval('#clock', (el) => el.dataset.raw ?? '');
      const stats = await page.textContent('#subscribers');
      for (let i = 0; i < 3; i += 1) {
        const text = `missed ${i}`;
        missed.push({ id: await publish(demo.base, text), text });
      }
      await listedId(other, missed[missed.length - 1].id);
      await sleep(5 * CLOCK_MS + 1200); // several ticks and a stats event would have come
      if ((await listed(page)).length !== lines) problems.push('a chat message arrived while disconnected');
      if ((await page.$eval('#clock', (el) => el.dataset.raw ?? '')) !== clock) problems.push('a tick arrived while disconnected');
      if ((await page.textContent('#subscribers')) !== stats) problems.push('a stats event arrived while disconnected');
      record('after Disconnect: no event arrives, the online count drops', problems.join('; ') || null);
    } catch (error) {
      record('after Disconnect: no event arrives, the online count drops', String(error));
    }

    // 3. Connect: resumes from the last id; the missed messages once, in order.
    try {
      await page.click('#toggle');
      const problems = [];
      await wait(page, () => document.querySelector('#state').textContent === 'open')
        .catch(() => problems.push('not open again'));
      await listedId(page, missed[missed.length - 1].id)
        .catch(() => problems.push('the last missed message never arrived'));
      await online(other, 2).catch(() => problems.push('the other page does not count 2 again'));
      const messages = (await listed(page)).filter((m) => !m.system);
      const got = messages.filter((m) => m.text.startsWith('missed ') || m.text === 'before disconnect')
        .map((m) => `${m.id}=${m.text}`);
      const want = [`${beforeId}=before disconnect`, ...missed.map((m) => `${m.id}=${m.text}`)];
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`listed ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      const system = (await listed(page)).filter((m) => m.system).map((m) => m.text);
      if (system.length > 0) problems.push(`system lines (reset?): ${JSON.stringify(system)}`);
      if ((await page.textContent('#toggle')) !== 'Disconnect') problems.push('the button does not say Disconnect');
      record('after Connect: the missed messages arrive once, in order', problems.join('; ') || null);
    } catch (error) {
      record('after Connect: the missed messages arrive once, in order', String(error));
    }
  } catch (error) {
    record('disconnect/connect start', String(error));
  } finally {
    await other?.close().catch(() => {});
    await page?.close().catch(() => {});
    await demo?.stop();
  }
  return results;
}

/** The README's screenshot: the axum demo after a short chat, two people online. */
async function screenshot(context, file) {
  const demo = await startDemo('demo-axum', ['--clock-ms', '1000']);
  const page = await context.newPage();
  const other = await context.newPage();
  try {
    await page.setViewportSize({ width: 900, height: 560 });
    await page.goto(`${demo.base}/`);
    await other.goto(`${demo.base}/`);
    await page.waitForFunction(() => document.querySelector('#online').textContent === '2', null, { timeout: LIVE_MS });
    for (const [name, text] of [
      ['alice', 'hi! is anyone here?'],
      ['bob', 'yes, reading you over Server-Sent Events'],
      ['alice', 'and when my stream drops, Last-Event-ID brings back what I missed'],
    ]) {
      await publish(demo.base, `${name}: ${text}`);
    }
    await page.fill('#name', 'carol');
    await page.fill('#text', 'same page, axum, actix-web or warp behind it');
    await page.click('#send button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#messages li').length >= 4, null, { timeout: LIVE_MS });
    await page.waitForFunction(() => (document.querySelector('#clock').dataset.raw ?? '') !== '', null, { timeout: LIVE_MS });
    await page.waitForFunction(() => document.querySelector('#subscribers').textContent === '2', null, { timeout: LIVE_MS });
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot saved to ${file}`);
  } finally {
    await other.close();
    await page.close();
    await demo.stop();
  }
}

let passed = 0;
let failed = 0;
try {
  await withChromium('sse-demo-check', async (context) => {
    for (const binary of binaries) {
      const results = [
        ...await checkBinary(context, binary),
        ...await checkDisconnectConnect(context, binary),
      ];
      for (const [name, problem] of results) {
        if (problem === null) {
          passed += 1;
          console.log(`ok     ${binary}: ${name}`);
        } else {
          failed += 1;
          console.log(`FAILED ${binary}: ${name}\n  ${problem}`);
        }
      }
    }
    if (screenshotPath) await screenshot(context, resolve(screenshotPath));
  });
} catch (error) {
  console.log(`FAILED to run the browser: ${error}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
