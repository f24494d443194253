// The editor page's HCL highlighting (page/hcl-mode.js), read as the page's
// highlighter reads it: each token's highlight class over a document that has
// every construct the tokenizer tracks across lines and inside strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlightTree, tagHighlighter, tags } from '@lezer/highlight';
import { hclStream } from '../page/hcl-mode.js';

/** The tags the page's highlight style colours, each as a name. */
const names = tagHighlighter([
  ['comment', tags.comment], ['typeName', tags.typeName], ['string', tags.string],
  ['property', tags.definition(tags.propertyName)], ['number', tags.number], ['atom', tags.atom],
  ['function', tags.function(tags.variableName)], ['variable', tags.variableName], ['meta', tags.meta],
].map(([name, tag]) => ({ tag, class: name })));

/** `[text, name]` of every highlighted token of `doc`. */
function tokens(doc) {
  const out = [];
  highlightTree(hclStream.parser.parse(doc), names, (from, to, cls) => {
    out.push([doc.slice(from, to), cls]);
  });
  return out;
}

const DOC = `# a comment
resource "kasm_image" "t" {
  name   = "kasmweb/\${var.image}:\${lookup(local.tags, "t", "1")}"
  memory = 2768
  /* spans
     lines */
  enabled = true
  description = <<EOT
not = code
EOT
  cores = max(1, 2)
}
`;

test('the HCL stream language colours what the page shows', () => {
  const seen = tokens(DOC);
  const classOf = (text) => seen.filter(([t]) => t === text).map(([, c]) => c);
  assert.deepEqual(classOf('# a comment'), ['comment']);
  assert.deepEqual(classOf('resource'), ['typeName']);
  assert.deepEqual(classOf('"kasm_image"'), ['string']);
  assert.deepEqual(classOf('memory'), ['property']);
  assert.deepEqual(classOf('2768'), ['number']);
  assert.deepEqual(classOf('true'), ['atom']);
  assert.deepEqual(classOf('max'), ['function']);
  // Inside a string's interpolation: code again, then the string goes on.
  assert.deepEqual(classOf('${'), ['meta', 'meta']);
  assert.deepEqual(classOf('var'), ['variable']);
  assert.deepEqual(classOf('lookup'), ['function']);
  assert.deepEqual(classOf('"t"'), ['string', 'string']);
  assert.ok(seen.some(([t, c]) => t === '"kasmweb/' && c === 'string'), JSON.stringify(seen));
  // A block comment and a heredoc carry over lines: nothing in them is code.
  assert.deepEqual(classOf('     lines */'), ['comment']);
  assert.deepEqual(classOf('not = code'), ['string']);
  assert.deepEqual(classOf('<<EOT'), ['string']);
  assert.deepEqual(classOf('EOT'), ['string']);
  // After the heredoc, code again.
  assert.deepEqual(classOf('cores'), ['property']);
});
