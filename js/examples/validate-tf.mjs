// Reads a .tf (or .json) file and prints its diagnostics; exits 1 when invalid.
//   node examples/validate-tf.mjs images.tf
import { readFileSync } from 'node:fs';
import { validate } from 'kasm-plan/node';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate-tf.mjs FILE');
  process.exit(1);
}
const result = validate(readFileSync(file, 'utf8'), { fileName: file });
for (const d of result.diagnostics) {
  const at = d.location ? `:${d.location.start.line}:${d.location.start.column}` : '';
  console.log(`${file}${at}: ${d.severity}: ${d.message} [${d.code}]`);
  if (d.help) console.log(`  help: ${d.help}`);
}
console.log(result.valid ? 'valid' : `${result.errors} error(s)`);
process.exit(result.valid ? 0 : 1);
