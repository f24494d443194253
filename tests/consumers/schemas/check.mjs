// Validates documents against a JSON Schema with Ajv, and proves the check
// can fail: `node check.mjs SCHEMA --valid FILE... --invalid FILE...` exits 1
// when a --valid file does not validate or an --invalid one does.
// The SARIF 2.1.0 schema comes from the SARIF SDK's package (draft 2020-12);
// kasm-plan's own is draft-07.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const [schemaPath, ...rest] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const draft2020 = String(schema.$schema).includes('2020-12');
const ajv = draft2020 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

let expect = null;
let failed = 0;
let checked = 0;
for (const arg of rest) {
  if (arg === '--valid' || arg === '--invalid') { expect = arg === '--valid'; continue; }
  const ok = validate(JSON.parse(readFileSync(arg, 'utf8')));
  checked += 1;
  if (ok !== expect) {
    failed += 1;
    const why = ok ? 'validates, but must not' : ajv.errorsText(validate.errors, { separator: '\n  ' });
    console.error(`${arg}: ${why}`);
  }
}
if (checked === 0) { console.error('nothing checked'); process.exit(2); }
console.log(`${schema.title}: ${checked - failed} of ${checked} documents as expected`);
process.exit(failed ? 1 : 0);
