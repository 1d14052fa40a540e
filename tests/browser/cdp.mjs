// tests/browser/cdp.mjs - a minimal Chrome DevTools Protocol client over
// --remote-debugging-pipe, for the report's browser tests. Needs only
// Node.js (>= 18) and Debian's chromium: nothing from npm, no download.
//
// Chromium reads commands from its fd 3 and writes replies and events to its
// fd 4, each message one JSON text ended by a NUL byte.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The flags that let headless Chromium run as root on a machine with no
// network (docs/report.md, "Browser tests").
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--mute-audio', '--remote-debugging-pipe'];

export class Browser {
  // launch - start Chromium (CHROMIUM env or /usr/bin/chromium) and return
  // a Browser; throws when it cannot start.
  static async launch(executable) {
    const b = new Browser();
    b.profile = mkdtempSync(join(tmpdir(), 'parapet-chromium-'));
    b.proc = spawn(executable || process.env.CHROMIUM || '/usr/bin/chromium',
      [...FLAGS, `--user-data-dir=${b.profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    b.stderr = '';
    b.proc.stderr.on('data', (d) => { b.stderr = (b.stderr + d).slice(-8000); });
    b.nextId = 1;
    b.pending = new Map();
    b.listeners = [];
    let buf = Buffer.alloc(0);
    b.proc.stdio[4].on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let z;
      while ((z = buf.indexOf(0)) >= 0) {
        const msg = JSON.parse(buf.subarray(0, z).toString('utf8'));
        buf = buf.subarray(z + 1);
        b.dispatch(msg);
      }
    });
    b.exited = new Promise((res) => b.proc.on('exit', res));
    b.proc.on('error', (e) => { for (const p of b.pending.values()) p.reject(e); });
    await b.send('Target.setDiscoverTargets', { discover: true });
    return b;
  }

  dispatch(msg) {
    if (msg.id && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    } else if (msg.method) {
      for (const l of this.listeners) l(msg);
    }
  }

  // send - one command (to the session @sessionId when given); resolves to
  // its result, rejects on a protocol error or after @timeoutMs.
  send(method, params = {}, sessionId, timeoutMs = 120000) { // generous: CI machines may be loaded
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method}: no reply in ${timeoutMs} ms`)); },
        timeoutMs);
      this.pending.set(id, { method,
        resolve: (r) => { clearTimeout(t); resolve(r); },
        reject: (e) => { clearTimeout(t); reject(e); } });
      this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
    });
  }

  on(fn) { this.listeners.push(fn); }

  // newPage - a fresh tab with Page, Runtime, Log and Network events on.
  async newPage(width = 1280, height = 900) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    for (const d of ['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'])
      await page.send(d);
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close() {
    try { await this.send('Browser.close', {}, undefined, 5000); } catch (e) { this.proc.kill('SIGKILL'); }
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(browser, sessionId) {
    this.b = browser;
    this.sessionId = sessionId;
    this.events = [];
    this.waiters = [];
    browser.on((msg) => {
      if (msg.sessionId !== sessionId) return;
      this.events.push(msg);
      this.waiters = this.waiters.filter((w) => !(w.method === msg.method && (w.resolve(msg.params), true)));
    });
  }

  send(method, params = {}, timeoutMs) { return this.b.send(method, params, this.sessionId, timeoutMs); }

  waitFor(method, timeoutMs = 120000) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${method} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ method, resolve: (p) => { clearTimeout(t); resolve(p); } });
    });
  }

  async goto(url, timeoutMs = 120000) {
    const loaded = this.waitFor('Page.loadEventFired', timeoutMs);
    const r = await this.send('Page.navigate', { url }, timeoutMs);
    if (r.errorText) throw new Error(`cannot open ${url}: ${r.errorText}`);
    await loaded;
  }

  // eval - the value of the expression @expr in the page (awaited when it is
  // a promise); throws with the page's exception text.
  async eval(expr, timeoutMs) {
    const r = await this.send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true },
      timeoutMs);
    if (r.exceptionDetails)
      throw new Error(`in page: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    return r.result.value;
  }

  // key - press and release one key, as a keyboard would.
  async key(key, { shift = false } = {}) {
    const codes = { Tab: 9, Enter: 13, Escape: 27, ' ': 32, PageUp: 33, PageDown: 34, End: 35, Home: 36,
      ArrowLeft: 37, ArrowUp: 38, ArrowRight: 39, ArrowDown: 40 };
    const base = { key, code: key === ' ' ? 'Space' : key, windowsVirtualKeyCode: codes[key], modifiers: shift ? 8 : 0 };
    const text = key === 'Enter' ? '\r' : key === ' ' ? ' ' : undefined;
    await this.send('Input.dispatchKeyEvent', { type: text ? 'keyDown' : 'rawKeyDown', text, ...base });
    await this.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
  }

  async type(text) { await this.send('Input.insertText', { text }); }

  async screenshot() {
    const r = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: false });
    return Buffer.from(r.data, 'base64');
  }

  // problems - console errors, uncaught exceptions, error log entries and
  // JavaScript dialogs seen so far, as text lines.
  problems() {
    const out = [];
    for (const e of this.events) {
      const p = e.params;
      if (e.method === 'Runtime.exceptionThrown')
        out.push(`exception: ${p.exceptionDetails.exception?.description || p.exceptionDetails.text}`);
      else if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
        out.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
      else if (e.method === 'Log.entryAdded' && p.entry.level === 'error')
        out.push(`log: ${p.entry.text} ${p.entry.url || ''}`);
      else if (e.method === 'Page.javascriptDialogOpening')
        out.push(`dialog (${p.type}): ${p.message}`);
    }
    return out;
  }

  // requests - the URL of every network request the page made.
  requests() {
    return this.events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => e.params.request.url);
  }
}
