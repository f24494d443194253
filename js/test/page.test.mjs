// The editor page in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): type an error and see its mark, gutter marker
// and hover; apply the core's quick fixes; accept completions from the
// schema; read hover documentation; see the plan as the CLI prints it; time
// keystroke-to-marks on a 100-image document. Screenshots go to build/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../page/serve.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let server;
let browser;

before(async () => {
  server = await serve();
  // A fresh profile directory every run.
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'kasm-plan-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const shot = (page, name) => {
  mkdirSync(new URL('../build/', import.meta.url), { recursive: true });
  return page.screenshot({ path: new URL(`../build/${name}.png`, import.meta.url).pathname });
};

/** Opens the page; the editor holds the example. */
async function open() {
  const page = await browser.newPage();
  const errors = [];
  const wasm = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
  });
  await page.goto(`${server.url}/page/index.html`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors, wasm };
}

/** The editor's text. */
const text = (page) => page.evaluate(() => window.kasmPlan.view.state.doc.toString());

/** Puts the cursor just after `needle` (its first occurrence) and focuses the editor. */
async function cursorAfter(page, needle) {
  await page.evaluate((n) => {
    const { view } = window.kasmPlan;
    const at = view.state.doc.toString().indexOf(n) + n.length;
    view.dispatch({ selection: { anchor: at } });
    view.focus();
  }, needle);
}

/**
 * Waits until the completion source has answered (CodeMirror's completion
 * state is `active`, not `pending`) with an option labelled `label`, and
 * returns every label offered.
 */
async function completions(page, label) {
  const answer = await page.waitForFunction((wanted) => {
    const c = window.kasmPlan.completion();
    return c.status === 'active' && c.labels.includes(wanted) ? c.labels : null;
  }, label);
  return answer.jsonValue();
}

/**
 * Accepts the option labelled `label` with the mouse, then waits until the
 * document holds `expected`. The list ignores Enter for a moment after it
 * opens (CodeMirror's interactionDelay), so a key could land as a newline
 * on a fast or a slow machine; a click is accepted whenever the list is there.
 */
async function accept(page, label, expected) {
  const labels = await completions(page, label);
  await page.locator(`.cm-tooltip-autocomplete li[id$="-${labels.indexOf(label)}"]`).click();
  await page.waitForFunction((re) => new RegExp(re).test(window.kasmPlan.view.state.doc.toString()), expected.source);
}

/** Hovers the middle of the first element matching `selector`. */
async function hover(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

test('marks, hover and a quick fix follow the typing', async () => {
  const { page, errors } = await open();
  assert.equal(await page.textContent('#status'), 'Valid');
  assert.equal(await page.locator('.cm-lintRange-error').count(), 0);

  // Memory typed in bytes: an error underlined on line 5, marked in the gutter.
  await cursorAfter(page, 'memory        = 2768');
  await page.keyboard.type('000000');
  await page.waitForSelector('#status.bad');
  assert.equal(await page.textContent('#status'), '1 error');
  const item = page.locator('#diagnostics li').first();
  assert.equal(await item.getAttribute('data-code'), 'memory_out_of_range');
  assert.equal(await item.getAttribute('data-line'), '5');
  await page.waitForSelector('.cm-lintRange-error');
  assert.match(await page.locator('.cm-lintRange-error').first().textContent(), /memory\s+= 2768000000/);
  assert.equal(await page.locator('.cm-lint-marker-error').count(), 1);

  // Hover: the message, the help and the core's quick fix.
  await hover(page, '.cm-lintRange-error');
  const tip = page.locator('.cm-tooltip-lint');
  await tip.waitFor();
  assert.match(await tip.textContent(), /memory is 2768000000 MB; Kasm allows 256 to 256000 MB/);
  assert.match(await tip.textContent(), /memory is in MB/);
  await shot(page, 'editor-mark');
  await tip.locator('button', { hasText: 'Convert 2768000000 bytes to 2768 MB' }).click();
  await page.waitForSelector('#status.ok');
  assert.match(await text(page), /memory {8}= 2768\n/);
  assert.equal(await page.locator('.cm-lintRange-error').count(), 0);

  // A misspelt argument: the "did you mean" is a fix too.
  await cursorAfter(page, 'cores         = 2');
  await page.keyboard.type('\nenabld = false');
  await page.waitForSelector('#diagnostics li[data-code="unknown_attribute"]');
  await page.waitForSelector('.cm-lintRange-error');
  await page.mouse.move(0, 0);
  await hover(page, '.cm-lintRange-error');
  await page.locator('.cm-tooltip-lint button', { hasText: 'Rename to `enabled`' }).click();
  await page.waitForSelector('#status.ok');
  assert.match(await text(page), /\n {2}enabled = false\n/);

  // A label in name and the image in image_src: the fix pulls the image.
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    const doc = view.state.doc.toString()
      .replace('"kasmweb/terminal:1.18.0"', '"Terminal Workspace"')
      .replace('"img/thumbnails/terminal.png"', '"kasmweb/terminal:1.18.0"');
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
  });
  await page.waitForSelector('#diagnostics li[data-code="name_not_image_reference"]');
  await page.waitForSelector('.cm-lintRange-warning');
  await page.mouse.move(0, 0);
  await hover(page, '.cm-lintRange-warning');
  await page.locator('.cm-tooltip-lint button', { hasText: 'Pull "kasmweb/terminal:1.18.0" (from image_src)' }).click();
  await page.waitForFunction(() => !document.querySelector('#diagnostics li[data-code="name_not_image_reference"]'));
  assert.match(await text(page), /\n {2}name {10}= "kasmweb\/terminal:1.18.0"\n/);

  // Format lays the document out as kasm-plan fmt does.
  await page.click('#format');
  assert.match(await text(page), /\n {2}cores {9}= 2\n {2}enabled {7}= false\n/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('JSON specs are highlighted as JSON and get the same marks and fixes', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    const doc = '{\n  "images": {\n    "t": {\n      "name": "kasmweb/terminal:1.18.0",\n      "friendly_name": "Terminal",\n      "image_src": "img/t.png",\n      "memroy": 2768\n    }\n  }\n}\n';
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } });
  });
  await page.waitForSelector('#diagnostics li[data-code="unknown_attribute"]');
  assert.equal(await page.evaluate(() => window.editorLanguage), 'json');
  assert.equal(await page.locator('#diagnostics li').first().getAttribute('data-line'), '7');
  await page.waitForSelector('.cm-lintRange-error');
  await hover(page, '.cm-lintRange-error');
  await page.locator('.cm-tooltip-lint button', { hasText: 'Rename to `memory`' }).click();
  await page.waitForSelector('#status.ok');
  assert.match(await text(page), /"memory": 2768/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('completion and hover documentation come from the schema', async () => {
  const { page, errors } = await open();
  // An argument name, then an enum value.
  await cursorAfter(page, 'cores         = 2');
  await page.keyboard.type('\nimage_t');
  const names = await completions(page, 'image_type');
  assert.ok(!names.includes('memory'), 'arguments set already are not offered');
  await accept(page, 'image_type', /\n {2}image_type = ""\n/);
  await page.keyboard.press('Control+Space');
  const values = await completions(page, 'Server Pool');
  assert.deepEqual([...values].sort(), ['Container', 'Link', 'Server', 'Server Pool']);
  await shot(page, 'editor-completion');
  await accept(page, 'Server Pool', /\n {2}image_type = "Server Pool"\n/);
  await page.waitForSelector('#status.ok');

  // A block skeleton at the top level, with its required arguments.
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    view.focus();
  });
  await page.keyboard.type('\nresource "kasm_g');
  await page.keyboard.press('Control+Space');
  await accept(page, 'resource "kasm_group"', /\n\nresource "kasm_group" "name" \{\n {2}name = ""\n {2}priority = \n\}$/);
  // Every resource type of the schema, the workflow's session included.
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    view.focus();
  });
  await page.keyboard.type('\nresource "kasm_se');
  await page.keyboard.press('Control+Space');
  await accept(page, 'resource "kasm_session"', /\nresource "kasm_session" "name" \{\n {2}user_id = ""\n {2}image_id = ""\n\}$/);

  // Hover documentation on an argument.
  await page.mouse.move(0, 0);
  await hover(page, '.cm-line:nth-child(5)');
  const doc = page.locator('.cm-schema-hover');
  await page.locator('.cm-line:nth-child(5) >> text=memory').hover();
  await doc.waitFor();
  assert.match(await doc.textContent(), /memory: number, optional 256 to 256000 MB/);
  assert.match(await doc.textContent(), /Memory per session in megabytes/);
  await shot(page, 'editor-hover');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the plan panel prints the plan as the CLI does; variables come from tfvars', async () => {
  const { page, errors, wasm } = await open();
  // Completion and hover need the schema entry, loaded first; marks and
  // format the editor entry, loaded once the editor is up; the full package
  // loads for the plan only.
  assert.deepEqual(wasm, ['/pkg-schema/kasm_plan_bg.wasm', '/pkg-editor/kasm_plan_bg.wasm']);
  await page.fill('#observed', JSON.stringify({ images: [] }));
  await page.waitForSelector('#plan:not([hidden])');
  assert.deepEqual(wasm, ['/pkg-schema/kasm_plan_bg.wasm', '/pkg-editor/kasm_plan_bg.wasm', '/pkg/kasm_plan_bg.wasm']);
  const planText = await page.textContent('#plan');
  assert.match(planText, /^kasm-plan will perform the following actions:\n\n {2}# kasm_image.terminal will be created\n/);
  assert.match(planText, /\n {6}\+ name +=  ?"kasmweb\/terminal:1.18.0"\n/);
  assert.match(planText, /\n {6}\+ memory +=  ?2768 MB\n/);
  assert.match(planText, /Plan: 1 to add, 0 to change, 0 to destroy\.$/);
  await shot(page, 'editor-plan');

  // A variable without a value is an error at its declaration; tfvars gives it one.
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    const doc = view.state.doc.toString();
    view.dispatch({ changes: { from: 0, to: doc.length, insert: `variable "memory" {\n  type = number\n}\n${doc.replace('2768', 'var.memory')}` } });
  });
  await page.waitForSelector('#diagnostics li[data-code="missing_variable"]');
  assert.equal(await page.locator('#diagnostics li').first().getAttribute('data-line'), '1');
  await page.fill('#tfvars', 'memory = "lots"');
  await page.waitForSelector('#diagnostics li[data-code="invalid_variable_value"]');
  assert.equal(await page.locator('#diagnostics li').first().getAttribute('data-file'), 'terraform.tfvars');
  assert.equal(await page.locator('.cm-lintRange-error').count(), 0, 'a tfvars error marks nothing in the config');
  await page.fill('#tfvars', 'memory = 8192');
  await page.waitForSelector('#status.ok');
  await page.fill('#observed', JSON.stringify({ images: [] }));
  await page.waitForFunction(() => /\+ memory +=  ?8192 MB/.test(document.getElementById('plan').textContent));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the plan panel shows group and link changes, as the CLI prints them', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => {
    const { view } = window.kasmPlan;
    const doc = view.state.doc.toString();
    const access = [
      'resource "kasm_group" "devs" {',
      '  name     = "Developers"',
      '  priority = 10',
      '}',
      'resource "kasm_group_image" "devs" {',
      '  group_id = kasm_group.devs.id',
      '  image_id = kasm_image.terminal.id',
      '}',
    ].join('\n');
    view.dispatch({ changes: { from: 0, to: doc.length, insert: `${doc}\n${access}\n` } });
  });
  const allUsers = { group_id: '68d557ac4cac42cca9f31c7c853de0f3', name: 'All Users', priority: 1000, is_system: true };
  await page.fill('#observed', JSON.stringify({ images: [], groups: [allUsers], links: [] }));
  await page.waitForFunction(() => document.getElementById('plan').textContent.includes('kasm_group_image.devs will be created'));
  const planText = await page.textContent('#plan');
  assert.match(planText, /# kasm_group.devs will be created\n {2}\+ resource "kasm_group" "devs" \{/);
  assert.match(planText, /\+ image_id += \(known after apply: kasm_image.terminal\)/);
  assert.match(planText, /Plan: 3 to add, 0 to change, 0 to destroy\.$/);
  await shot(page, 'editor-plan-groups');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without the editor entry the page still completes and says why nothing is checked', async () => {
  const page = await browser.newPage();
  await page.route('**/pkg-editor/kasm_plan_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`${server.url}/page/index.html`);
  await page.waitForSelector('body[data-ready="false"]');
  assert.match(await page.textContent('#status'), /^Not checked: the checker did not load/);
  await cursorAfter(page, 'cores         = 2');
  await page.keyboard.type('\nimage_t');
  assert.ok((await completions(page, 'image_type')).includes('image_type'));
  await page.close();
});

test('keystroke to marks on a 100-image document (a figure, not a pass/fail)', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => {
    const block = (i) => `resource "kasm_image" "image_${i}" {\n  name          = "kasmweb/terminal:1.18.${i}"\n  friendly_name = "Terminal ${i}"\n  image_src     = "img/thumbnails/terminal.png"\n  memory        = 2768\n  cores         = 2\n}\n`;
    const { view } = window.kasmPlan;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: Array.from({ length: 100 }, (_, i) => block(i)).join('\n') } });
  });
  await page.waitForSelector('#status.ok');
  await cursorAfter(page, 'memory        = 2768');
  // Each even keystroke makes memory 27681 (in range), each odd one puts it
  // back; every one sets the marks. The first WARM_UP (JIT, first layout) are
  // not counted.
  const WARM_UP = 10;
  const COUNTED = 100;
  const times = [];
  for (let i = 0; i < WARM_UP + COUNTED; i++) {
    const before = await page.evaluate(() => window.marksSet);
    await page.keyboard.press(i % 2 ? 'Backspace' : '1');
    await page.waitForFunction((n) => window.marksSet > n, before);
    if (i >= WARM_UP) times.push(await page.evaluate(() => window.lastMarksMs));
  }
  await page.waitForSelector('#status.ok');
  assert.match(await text(page), /memory {8}= 2768\n/);
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(`keystroke to marks, 100 images (${(await text(page)).length} characters), ${COUNTED} keystrokes after ${WARM_UP} warm-up: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms`);
  // What the keystroke is made of: the core's validate of the same document, alone.
  const validateMs = await page.evaluate(() => {
    const { validate, view } = window.kasmPlan;
    const doc = view.state.doc.toString();
    const runs = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      validate(doc, { fileName: 'config.tf' });
      runs.push(performance.now() - t0);
    }
    return runs.sort((a, b) => a - b)[15];
  });
  console.log(`of which the core's validate alone: median ${validateMs.toFixed(1)} ms`);
  assert.equal(times.length, COUNTED);
  assert.ok(times.every((t) => Number.isFinite(t) && t >= 0), 'every keystroke set the marks');
  assert.deepEqual(errors, []);
  await page.close();
});
