// The validator page: validates on every input (with the variable values
// given as terraform.tfvars), marks lines, shows the plan when an image list is given. All checking is the core's (the npm package).
import init, { validate, plan } from '../web.js';

const $ = (id) => document.getElementById(id);
const source = $('source');
const observed = $('observed');
const tfvars = $('tfvars');
const CONFIG = 'config.tf';

/** The options that read the page's inputs: the variable values as terraform.tfvars. */
const options = () => ({ fileName: CONFIG, tfvars: [{ source: tfvars.value, fileName: 'terraform.tfvars' }] });

const EXAMPLE = `resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  friendly_name = "Terminal"
  image_src     = "img/thumbnails/terminal.png"
  memory        = 2768
  cores         = 2
}
`;

function render() {
  const text = source.value;
  const started = performance.now();
  const result = validate(text, options());
  window.lastValidateMs = performance.now() - started;
  const marks = new Map();
  for (const d of result.diagnostics.filter((x) => (x.file ?? CONFIG) === CONFIG)) {
    const line = d.location?.start.line;
    if (line && marks.get(line) !== 'error') marks.set(line, d.severity);
  }
  const lines = text.split('\n').length;
  $('gutter').replaceChildren(...Array.from({ length: lines }, (_, i) => {
    const span = document.createElement('span');
    span.textContent = String(i + 1);
    const mark = marks.get(i + 1);
    if (mark) span.className = mark;
    return span;
  }));
  const status = $('status');
  status.textContent = result.valid
    ? `Valid${result.warnings ? ` (${result.warnings} warning${result.warnings > 1 ? 's' : ''})` : ''}`
    : `${result.errors} error${result.errors > 1 ? 's' : ''}`;
  status.className = result.valid ? 'ok' : 'bad';
  $('diagnostics').replaceChildren(...result.diagnostics.map((d) => {
    const li = document.createElement('li');
    li.className = d.severity;
    li.dataset.line = d.location?.start.line ?? '';
    li.dataset.code = d.code;
    li.dataset.file = d.file ?? '';
    const file = d.file && d.file !== CONFIG ? `${d.file}, ` : '';
    const where = d.location ? `${file}line ${d.location.start.line}, column ${d.location.start.column}: ` : file;
    li.innerHTML = '<div></div><div class="code"></div><div class="help"></div>';
    li.children[0].textContent = `${d.severity === 'error' ? 'Error' : 'Warning'}: ${where}${d.message}`;
    li.children[1].textContent = d.code;
    li.children[2].textContent = d.help ?? '';
    return li;
  }));
  renderPlan(text, result.valid);
}

function renderPlan(text, valid) {
  const out = $('plan');
  out.hidden = true;
  if (!valid || !observed.value.trim()) return;
  let images;
  try {
    const parsed = JSON.parse(observed.value);
    images = Array.isArray(parsed) ? parsed : parsed.images;
  } catch (e) {
    out.hidden = false;
    out.textContent = `The image list is not JSON: ${e.message}`;
    return;
  }
  const result = plan(text, null, images, options());
  out.hidden = false;
  if (!result.ok) {
    out.textContent = result.diagnostics.map((d) => d.message).join('\n');
    return;
  }
  const lines = result.plan.resource_changes
    .filter((c) => c.action !== 'no-op')
    .map((c) => `${{ create: '+', update: '~', delete: '-' }[c.action]} ${c.address} (${c.action})`);
  const s = result.plan.summary;
  out.textContent = [...lines, `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`].join('\n');
}

await init();
source.value = EXAMPLE;
source.addEventListener('input', render);
observed.addEventListener('input', render);
tfvars.addEventListener('input', render);
render();
// For measurements from the browser's console or a test.
window.kasmPlan = { validate, plan };
document.body.dataset.ready = 'true';
