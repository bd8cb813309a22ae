// Validates every line of a JSONL file against a JSON Schema with ajv and
// prints one verdict per line: "valid", or "invalid" followed by ajv's errors.
// Usage: node ajv-check.js SCHEMA.json DOCS.jsonl
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv2020 = require(path.join(__dirname, 'node_modules', 'ajv', 'dist', '2020')).default;

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node ajv-check.js SCHEMA DOCS.jsonl\n');
    return 2;
  }
  const schema = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  const lines = fs.readFileSync(argv[1], 'utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '')
    lines.pop();
  const out = [];
  for (const line of lines) {
    let doc;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      out.push('unparsable ' + e.message);
      continue;
    }
    if (validate(doc)) {
      out.push('valid');
    } else {
      const errs = validate.errors.map((e) => `${JSON.stringify(e.instancePath)} ${e.keyword}`);
      out.push('invalid ' + errs.join('; '));
    }
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
