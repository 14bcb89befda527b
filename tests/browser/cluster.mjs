// The demo page as a cluster in a real browser: a redis-server and three demo nodes
// (demo-axum, demo-actix, demo-warp with --redis), nginx in front (generated config,
// round robin, default proxy buffering), all started here on free ports. Chromium opens
// the page through nginx; chat messages are published on the other nodes; the node the
// page is on is killed with SIGKILL midway. Every message must be listed exactly once,
// in order, with no `reset` line: EventSource reconnects through nginx to a live node
// with Last-Event-ID. Prints one line per check; exits non-zero on any failure.
//
//   node cluster.mjs [--bin-dir DIR]     (default ../../target/debug)
//
// Needs redis-server and nginx (Debian: apt-get install -y redis-server nginx).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withChromium } from './chromium.mjs';
import { freePort, publish, sleep } from './demo-api.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--bin-dir');
const binDir = resolve(at > 0 ? process.argv[at + 1] : join(here, '../../target/debug'));
const LIVE_MS = 15_000;
const MESSAGES = 40;

const children = [];
function start(command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  child.stderrText = () => stderr;
  children.push(child);
  return child;
}

async function until(what, check) {
  const deadline = Date.now() + LIVE_MS;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`not within ${LIVE_MS} ms: ${what}`);
    await sleep(50);
  }
}

const results = [];
const record = (name, problem) => {
  results.push([name, problem]);
  console.log(`${problem ? 'FAIL' : 'ok  '} ${name}${problem ? `: ${problem}` : ''}`);
};

const dir = mkdtempSync(join(tmpdir(), 'sse-cluster-'));
try {
  const redisPort = await freePort();
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const redis = `redis://127.0.0.1:${redisPort}/`;
  const nodes = [];
  for (const binary of ['demo-axum', 'demo-actix', 'demo-warp']) {
    const port = await freePort();
    const child = start(join(binDir, binary), ['--addr', `127.0.0.1:${port}`, '--redis', redis, '--clock-ms', '0']);
    const base = `http://127.0.0.1:${port}`;
    await until(`${binary} healthy`, async () => (await fetch(`${base}/healthz`)).ok);
    nodes.push({ binary, base, port, child });
  }
  const nginxPort = await freePort();
  const upstream = nodes.map((n) => `    server 127.0.0.1:${n.port};`).join('\n');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream demo {
${upstream}
  }
  server {
    listen 127.0.0.1:${nginxPort};
    location / {
      proxy_pass http://demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 1h;
      proxy_connect_timeout 1s;
    }
  }
}
`);
  start('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const front = `http://127.0.0.1:${nginxPort}`;
  await until('nginx answers', async () => (await fetch(`${front}/healthz`)).ok);

  await withChromium('sse-cluster', async (context) => {
    const page = await context.newPage();
    await page.goto(`${front}/`);
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'open', null, { timeout: LIVE_MS });
    // Which node holds the page's stream.
    let home;
    await until('a node holds the page', async () => {
      for (const node of nodes) {
        const stats = await (await fetch(`${node.base}/stats`)).json();
        if (stats.node_subscribers >= 1) { home = node; return true; }
      }
      return false;
    });
    const others = nodes.filter((n) => n !== home);
    const expected = [];
    for (let i = 0; i < MESSAGES; i += 1) {
      if (i === MESSAGES / 2) home.child.kill('SIGKILL');
      const data = `cluster ${i} ✓`;
      expected.push({ id: await publish(others[i % 2].base, data), text: data });
      await sleep(50);
    }
    const last = expected[expected.length - 1];
    const problems = [];
    try {
      await page.waitForFunction((id) => [...document.querySelectorAll('#messages li')].some((li) => li.dataset.id === id), last.id, { timeout: LIVE_MS });
    } catch {
      problems.push('the last message never appeared');
    }
    const all = await page.$$eval('#messages li', (items) => items.map((li) => ({
      id: li.dataset.id ?? '', text: li.textContent, system: li.classList.contains('system') || !li.dataset.id,
    })));
    const system = all.filter((m) => m.system).map((m) => m.text);
    if (system.length > 0) problems.push(`system lines (reset?): ${JSON.stringify(system)}`);
    const got = all.filter((m) => !m.system).map((m) => `${m.id}=${m.text}`);
    const want = expected.map((m) => `${m.id}=${m.text}`);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`listed ${got.length} of ${want.length}: ${JSON.stringify(got)}`);
    }
    record(`every message once, in order, across the SIGKILL of ${home.binary} (page through nginx)`, problems.join('; ') || null);
    await page.close();
  });
} catch (error) {
  record('cluster check ran', String(error?.stack ?? error));
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
const failed = results.filter(([, problem]) => problem).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
