// The editor page: CodeMirror 6 with the core (the npm package) behind it.
// Every keystroke validates the document and sets the marks (underline,
// gutter, hover message and help, quick fixes the core proposes);
// completion and hover documentation come from the core's schema; the plan
// panel renders the plan as the CLI does. All checking is the core's.
// The page loads the package's schema entry first (completion and hover),
// then the editor entry (validate, format) while the editor is already
// usable; the full package, for the plan panel, only when a list of Kasm's
// images is pasted.
import init, { schema } from '../schema.js';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState, Compartment } from '@codemirror/state';
import { hoverTooltip, keymap } from '@codemirror/view';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { autocompletion, snippetCompletion, completionStatus, currentCompletions } from '@codemirror/autocomplete';
import { json } from '@codemirror/lang-json';
import { hclStream } from './hcl-mode.js';

const $ = (id) => document.getElementById(id);
const observed = $('observed');
const tfvars = $('tfvars');
/** The document's file name: the core reads the format from it. */
let CONFIG = 'config.tf';

const EXAMPLE = `resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  friendly_name = "Terminal"
  image_src     = "img/thumbnails/terminal.png"
  memory        = 2768
  cores         = 2
}
`;

/** Whether the document is a JSON spec rather than HCL. */
function looksJson(text) {
  return text.trimStart().startsWith('{');
}

/** The options that read the page's inputs: the variable values as terraform.tfvars. */
const options = () => ({ fileName: CONFIG, tfvars: [{ source: tfvars.value, fileName: 'terraform.tfvars' }] });

/** A one-based line and character column as a document offset. */
function offset(doc, at) {
  const line = doc.line(Math.min(Math.max(at.line, 1), doc.lines));
  return Math.min(line.from + Math.max(at.column - 1, 0), line.to);
}

/** The core's quick fix as an editor action, when its text is where the core says. */
function action(fix, from, to) {
  return {
    name: fix.title,
    apply(view, f = from, t = to) {
      const text = view.state.doc.sliceString(f, t);
      const at = text.indexOf(fix.old);
      if (at >= 0) view.dispatch({ changes: { from: f + at, to: f + at + fix.old.length, insert: fix.new } });
    },
  };
}

/** The core's diagnostics on the configuration as CodeMirror's. */
function marks(doc, diagnostics) {
  return diagnostics
    .filter((d) => (d.file ?? CONFIG) === CONFIG && d.location)
    .map((d) => {
      const from = offset(doc, d.location.start);
      const to = Math.max(offset(doc, d.location.end), from + 1);
      const fixable = d.fix && doc.sliceString(from, to).includes(d.fix.old);
      return {
        from, to: Math.min(to, doc.length), severity: d.severity,
        message: `${d.message}${d.help ? `\n${d.help}` : ''}`,
        source: d.code,
        actions: fixable ? [action(d.fix, from, to)] : [],
      };
    });
}

let last = { valid: false, diagnostics: [] };

/** The editor entry (validate, format), once loaded. */
let editor;
/** When the first change not yet marked happened. */
let changedAt;

/** Validates, then marks the document and lists the problems. */
function check() {
  changedAt ??= window.keyAt ?? performance.now();
  window.keyAt = undefined;
  // Until the editor entry is loaded; it checks the document once it is.
  if (!editor) return;
  const started = changedAt;
  changedAt = undefined;
  const text = view.state.doc.toString();
  CONFIG = looksJson(text) ? 'config.json' : 'config.tf';
  last = editor.validate(text, options());
  view.dispatch(setDiagnostics(view.state, marks(view.state.doc, last.diagnostics)));
  window.lastMarksMs = performance.now() - started;
  window.marksSet = (window.marksSet ?? 0) + 1;
  renderStatus();
  renderPlanPanel(text);
  document.body.dataset.ready = 'true';
}

function renderStatus() {
  const r = last;
  const status = $('status');
  status.textContent = r.valid
    ? `Valid${r.warnings ? ` (${r.warnings} warning${r.warnings > 1 ? 's' : ''})` : ''}`
    : `${r.errors} error${r.errors > 1 ? 's' : ''}`;
  status.className = r.valid ? 'ok' : 'bad';
  $('diagnostics').replaceChildren(...r.diagnostics.map((d) => {
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
}

/**
 * The plan as `kasm-plan plan` prints it (the core renders it for both).
 * The pasted list is Kasm's images (`kasm-plan images --json`, or a bare
 * list), or `{images, groups, links}` to plan groups and links too.
 */
async function renderPlanPanel(text) {
  const out = $('plan');
  out.hidden = true;
  if (!last.valid || !observed.value.trim()) return;
  const { plan, renderPlan } = await planner();
  // A later keystroke or paste has already drawn the panel again.
  if (text !== view.state.doc.toString()) return;
  let images;
  let access;
  try {
    const parsed = JSON.parse(observed.value);
    images = Array.isArray(parsed) ? parsed : parsed.images;
    if (parsed.groups) access = { groups: parsed.groups, links: parsed.links ?? [] };
  } catch (e) {
    out.hidden = false;
    out.textContent = `The image list is not JSON: ${e.message}`;
    return;
  }
  const result = plan(text, null, images, { ...options(), access });
  out.hidden = false;
  if (!result.ok) {
    out.textContent = result.diagnostics.map((d) => d.message).join('\n');
    return;
  }
  out.textContent = renderPlan(result.plan, { diagnostics: result.diagnostics }).trimEnd();
}

let loading;
/** The full package, loaded and initialised once, on first use. */
function planner() {
  loading ??= import('../web.js').then(async (full) => {
    await full.default();
    return full;
  });
  return loading;
}

// Completion and hover, from the core's schema.
const SCHEMA = { resources: [], data_sources: [], codes: [] };

/** The resource type of the block around `pos`, if any. */
function blockType(state, pos) {
  const before = state.doc.sliceString(0, pos);
  const re = /(resource|data)\s+"([a-z_]+)"\s+"[^"]*"\s*\{/g;
  let found = null;
  for (let m = re.exec(before); m; m = re.exec(before)) found = { kind: m[1], type: m[2], at: m.index + m[0].length };
  if (!found) return null;
  let depth = 1;
  for (const ch of before.slice(found.at)) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  return depth > 0 ? found : null;
}

const blockSchema = (b) => (b.kind === 'data' ? SCHEMA.data_sources : SCHEMA.resources).find((s) => s.type_name === b.type);

/** What an argument is, in a line or two. */
function describe(a) {
  const range = a.minimum !== undefined || a.maximum !== undefined
    ? ` ${a.exclusive_minimum ? 'above ' : ''}${a.minimum ?? ''}${a.maximum !== undefined ? ` to ${a.maximum}` : ''}${a.unit ? ` ${a.unit}` : ''}`
    : '';
  const allowed = a.allowed?.length ? ` one of ${a.allowed.map((v) => `"${v}"`).join(', ')}` : '';
  return `${a.name}: ${a.value_type}, ${a.presence}${a.sensitive ? ', sensitive' : ''}${range}${allowed}\n${a.description}`;
}

function complete(context) {
  // Completion knows HCL's shapes; JSON specs get marks and fixes only.
  if (looksJson(context.state.doc.toString())) return null;
  const line = context.state.doc.lineAt(context.pos);
  const head = line.text.slice(0, context.pos - line.from);
  const block = blockType(context.state, context.pos);
  const value = /^\s*([a-z_]+)\s*=\s*"([^"]*)$/.exec(head);
  if (block && value) {
    const arg = blockSchema(block)?.arguments.find((a) => a.name === value[1]);
    if (!arg?.allowed?.length) return null;
    // The closing quote is kept (a skeleton already wrote it) or added.
    const closed = context.state.doc.sliceString(context.pos, context.pos + 1) === '"';
    return {
      from: context.pos - value[2].length,
      options: arg.allowed.map((v) => ({ label: v, type: 'enum', detail: arg.name, apply: closed ? v : `${v}"` })),
    };
  }
  const word = context.matchBefore(/[a-z_]*/);
  if (block) {
    if (!/^\s*[a-z_]*$/.test(head) || (word.from === word.to && !context.explicit)) return null;
    const present = new Set([...context.state.doc.toString().matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]));
    const args = (blockSchema(block)?.arguments ?? []).filter((a) => a.presence !== 'computed' && !present.has(a.name));
    return {
      from: word.from,
      options: args.map((a) => snippetCompletion(`${a.name} = ${a.value_type === 'string' ? '"${}"' : '${}'}`, {
        label: a.name, type: 'property', detail: a.presence === 'required' ? 'required' : a.value_type, info: describe(a),
      })),
    };
  }
  // At the top level: block skeletons, matched from the line's start (`res`, `resource "kasm_g`).
  const typed = /^(\s*)((?:resource\s*"?)?[a-z_]*)$/.exec(head);
  if (!typed || (!typed[2] && !context.explicit)) return null;
  // A quote the editor closed by itself after the typed one is replaced too.
  const closing = typed[2].includes('"') && context.state.doc.sliceString(context.pos, context.pos + 1) === '"';
  return {
    from: line.from + typed[1].length,
    to: context.pos + (closing ? 1 : 0),
    options: SCHEMA.resources.map((r) => {
      const required = r.arguments.filter((a) => a.presence === 'required').map((a) => `  ${a.name} = ${a.value_type === 'string' ? '"${}"' : '${}'}`);
      return snippetCompletion(`resource "${r.type_name}" "\${name}" {\n${required.join('\n')}\n}`, {
        label: `resource "${r.type_name}"`, type: 'class', info: r.description,
      });
    }),
  };
}

const hover = hoverTooltip((view, pos) => {
  const { from, to, text } = view.state.doc.lineAt(pos);
  const m = /^\s*([a-z_]+)\s*=/.exec(text);
  if (!m) return null;
  const start = from + text.indexOf(m[1]);
  const end = start + m[1].length;
  if (pos < start || pos > end) return null;
  const block = blockType(view.state, from);
  const arg = block && blockSchema(block)?.arguments.find((a) => a.name === m[1]);
  if (!arg) return null;
  return {
    pos: start, end, above: true,
    create() {
      const dom = document.createElement('div');
      dom.className = 'cm-schema-hover';
      dom.textContent = describe(arg);
      return { dom };
    },
  };
});

/** Lays the document out as `kasm-plan fmt` does (HCL only); a text that does not parse stays. */
function formatDocument(view) {
  const text = view.state.doc.toString();
  if (looksJson(text) || !editor) return false;
  const answer = editor.format(text, { fileName: CONFIG });
  if (answer.changed) view.dispatch({ changes: { from: 0, to: text.length, insert: answer.formatted } });
  return true;
}

const language = new Compartment();

await init();
Object.assign(SCHEMA, schema());
const view = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: EXAMPLE,
    extensions: [
      keymap.of([{ key: 'Shift-Alt-f', run: formatDocument }]),
      basicSetup,
      language.of(hclStream),
      lintGutter(),
      autocompletion({ override: [complete] }),
      hover,
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        const text = u.state.doc.toString();
        const wanted = looksJson(text) ? 'json' : 'hcl';
        if (wanted !== window.editorLanguage) {
          window.editorLanguage = wanted;
          queueMicrotask(() => view.dispatch({ effects: language.reconfigure(wanted === 'json' ? json() : hclStream) }));
        }
        queueMicrotask(check);
      }),
    ],
  }),
});
window.editorLanguage = 'hcl';
// Keystroke to marks: from the key's event to the marks set.
view.contentDOM.addEventListener('keydown', () => { window.keyAt = performance.now(); }, true);
observed.addEventListener('input', check);
$('format').addEventListener('click', () => { formatDocument(view); view.focus(); });
tfvars.addEventListener('input', check);
// For tests and measurements from the browser's console: the completion
// state lets a test wait for the source's answer rather than for time.
window.kasmPlan = {
  planner, view,
  completion: () => ({
    status: completionStatus(view.state),
    labels: currentCompletions(view.state).map((c) => c.label),
  }),
};
// The editor entry, after the editor is up: its first check sets `data-ready`.
// Without it the editor still edits, completes and documents; the status says why nothing is checked.
try {
  const entry = await import('../editor.js');
  await entry.default();
  editor = entry;
  window.kasmPlan.validate = editor.validate;
  check();
} catch (e) {
  $('status').textContent = `Not checked: the checker did not load (${e.message})`;
  $('status').className = 'bad';
  document.body.dataset.ready = 'false';
}
