// HCL highlighting as a CodeMirror stream language: tokens line by line,
// each line's state kept, so a keystroke re-reads its own line (and the ones
// after it only while their state changes). With the Lezer grammar
// (codemirror-lang-hcl) the editor's own share of a keystroke on a large
// document was larger than the core's validation (docs/performance.md). The
// page needs colours only: marks, completion and hover come from the core.
import { StreamLanguage } from '@codemirror/language';

const ATOMS = new Set(['true', 'false', 'null']);
const KEYWORDS = new Set(['for', 'in', 'if', 'else', 'endfor', 'endif']);

/** What the stream is inside: code, a quoted string, `${`/`%{`, `{`, a heredoc. */
const top = (state) => state.stack[state.stack.length - 1];

function string(stream, state) {
  if (stream.match('${') || stream.match('%{')) {
    state.stack.push({ in: 'template' });
    return 'meta';
  }
  if (stream.eat('"')) {
    state.stack.pop();
    return 'string';
  }
  while (!stream.eol()) {
    if (stream.peek() === '"' || stream.match(/^[$%]\{/, false)) break;
    if (stream.next() === '\\') stream.next();
  }
  return 'string';
}

function heredoc(stream, state, end) {
  if (stream.sol() && stream.match(new RegExp(`^\\s*${end}\\s*$`))) {
    state.stack.pop();
    return 'string';
  }
  stream.skipToEnd();
  return 'string';
}

function code(stream, state) {
  if (stream.eatSpace()) return null;
  if (stream.match('#') || stream.match('//')) {
    stream.skipToEnd();
    return 'comment';
  }
  if (stream.match('/*')) {
    state.comment = true;
    return comment(stream, state);
  }
  if (stream.eat('"')) {
    state.stack.push({ in: 'string' });
    return 'string';
  }
  const here = stream.match(/^<<-?([A-Za-z_][\w-]*)/);
  if (here) {
    state.stack.push({ in: 'heredoc', end: here[1] });
    return 'string';
  }
  if (stream.match(/^\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
  const word = stream.match(/^[A-Za-z_][\w-]*/);
  if (word) {
    if (ATOMS.has(word[0])) return 'atom';
    if (KEYWORDS.has(word[0])) return 'keyword';
    if (stream.match(/^\s*=(?!=)/, false)) return 'propertyName.definition';
    if (stream.match(/^\s*\(/, false)) return 'variableName.function';
    // A block's type: the first word of a line, before its labels or `{`.
    if (state.stack.length === 0 && /^\s*$/.test(stream.string.slice(0, stream.start))) return 'typeName';
    return 'variableName';
  }
  const ch = stream.next();
  if (ch === '{') {
    state.stack.push({ in: 'brace' });
    return 'bracket';
  }
  if (ch === '}') {
    const closing = state.stack.pop();
    return closing?.in === 'template' ? 'meta' : 'bracket';
  }
  if ('[]()'.includes(ch)) return 'bracket';
  return 'operator';
}

function comment(stream, state) {
  while (!stream.eol()) {
    if (stream.match('*/')) {
      state.comment = false;
      break;
    }
    stream.next();
  }
  return 'comment';
}

/** The stream language: `hcl()` in place of the Lezer grammar's. */
export const hclStream = StreamLanguage.define({
  name: 'hcl',
  startState: () => ({ stack: [], comment: false }),
  copyState: (s) => ({ stack: s.stack.map((f) => ({ ...f })), comment: s.comment }),
  token(stream, state) {
    if (state.comment) return comment(stream, state);
    const frame = top(state);
    if (frame?.in === 'string') return string(stream, state);
    if (frame?.in === 'heredoc') return heredoc(stream, state, frame.end);
    return code(stream, state);
  },
  languageData: { commentTokens: { line: '#', block: { open: '/*', close: '*/' } } },
});
