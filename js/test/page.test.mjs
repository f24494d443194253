// The validator page in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): type an invalid spec, see the diagnostic at its
// line, fix it, see it pass; a screenshot is kept in build/.
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('diagnostics follow the typing, at the right line', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/page/index.html`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#status'), 'Valid');

  // Break line 5: memory far too low.
  const editor = page.locator('#source');
  const text = await editor.inputValue();
  await editor.fill('');
  await editor.pressSequentially(text.replace('2768', '10'), { delay: 0 });
  await page.waitForSelector('#status.bad');
  assert.equal(await page.textContent('#status'), '1 error');
  const item = page.locator('#diagnostics li').first();
  assert.equal(await item.getAttribute('data-code'), 'memory_out_of_range');
  assert.equal(await item.getAttribute('data-line'), '5');
  assert.match(await item.textContent(), /line 5, column 3: memory is 10 MB/);
  assert.match(await item.locator('.help').textContent(), /memory is in MB/);
  assert.equal(await page.locator('#gutter span.error').count(), 1);
  assert.equal(await page.locator('#gutter span.error').textContent(), '5');
  mkdirSync(new URL('../build/', import.meta.url), { recursive: true });
  await page.screenshot({ path: new URL('../build/page-invalid.png', import.meta.url).pathname, fullPage: true });

  // Fix it: the error goes away.
  await editor.fill(text.replace('2768', '4096'));
  await page.waitForSelector('#status.ok');
  assert.equal(await page.locator('#diagnostics li').count(), 0);
  assert.equal(await page.locator('#gutter span.error').count(), 0);

  // With the server's image list, the page shows the plan.
  await page.fill('#observed', JSON.stringify({ images: [] }));
  await page.waitForSelector('#plan:not([hidden])');
  assert.match(await page.textContent('#plan'), /\+ kasm_image.terminal \(create\)\nPlan: 1 to add, 0 to change, 0 to destroy\./);
  await page.screenshot({ path: new URL('../build/page-valid.png', import.meta.url).pathname, fullPage: true });

  // A variable without a value is an error at its declaration; a value typed
  // as terraform.tfvars is evaluated into the plan.
  await editor.fill(`variable "memory" {\n  type = number\n}\n${text.replace('2768', 'var.memory')}`);
  await page.waitForSelector('#status.bad');
  const missing = page.locator('#diagnostics li').first();
  assert.equal(await missing.getAttribute('data-code'), 'missing_variable');
  assert.equal(await missing.getAttribute('data-line'), '1');
  await page.fill('#tfvars', 'memory = "lots"');
  await page.waitForSelector('#diagnostics li[data-code="invalid_variable_value"]');
  assert.equal(await page.locator('#diagnostics li').first().getAttribute('data-file'), 'terraform.tfvars');
  assert.equal(await page.locator('#gutter span.error').count(), 0, 'a tfvars error marks no line of the config');
  await page.fill('#tfvars', 'memory = 8192');
  await page.waitForSelector('#status.ok');
  await page.fill('#observed', JSON.stringify({ images: [] }));
  await page.waitForSelector('#plan:not([hidden])');
  assert.match(await page.textContent('#plan'), /\+ kasm_image.terminal \(create\)/);

  assert.deepEqual(errors, []);
  // A figure for the README (not a pass/fail): mean time of one validate in the
  // page, over 500 calls (the browser's clock is too coarse for one).
  const ms = await page.evaluate(() => {
    const text = document.getElementById('source').value;
    const t = performance.now();
    for (let i = 0; i < 500; i++) window.kasmPlan.validate(text, { fileName: 'config.tf' });
    return (performance.now() - t) / 500;
  });
  console.log(`validate one spec in the page: ${ms.toFixed(3)} ms`);
  await page.close();
});
