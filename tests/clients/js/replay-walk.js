// Walks ListBatchLoadTasks with the AWS SDK for JavaScript v3 paginator and
// writes the TaskIds it got; used against blt-proxy record and replay.
//
// usage: node replay-walk.js [--endpoint URL] [--max-results N]
//          [--status S] [--max-attempts N] [--out FILE] [--expect FILE]
// The endpoint defaults to $AWS_ENDPOINT_URL_TIMESTREAM_WRITE; credentials
// and region come from the environment as the SDK reads them. --out writes
// {"tasks": [TaskId...], "calls": pages}; --expect compares the walk's
// TaskIds with such a file and exits 1 when they differ.
'use strict';

const fs = require('fs');
const {
  TimestreamWriteClient,
  paginateListBatchLoadTasks,
} = require('@aws-sdk/client-timestream-write');

function parseArgs(argv) {
  const opts = {};
  const names = ['--endpoint', '--max-results', '--status', '--max-attempts',
    '--out', '--expect'];
  for (let i = 0; i < argv.length; i++) {
    if (!names.includes(argv[i]) || i + 1 >= argv.length) {
      throw new Error(`replay-walk.js: bad argument '${argv[i]}'`);
    }
    opts[argv[i].slice(2)] = argv[++i];
  }
  return opts;
}

async function walk(opts) {
  const endpoint = opts.endpoint || process.env.AWS_ENDPOINT_URL_TIMESTREAM_WRITE;
  if (!endpoint) {
    throw new Error('replay-walk.js: no --endpoint and no ' +
      'AWS_ENDPOINT_URL_TIMESTREAM_WRITE');
  }
  const client = new TimestreamWriteClient({
    endpoint,
    region: process.env.AWS_REGION || 'us-east-1',
    maxAttempts: Number(opts['max-attempts'] || 3),
  });
  const input = {};
  if (opts['max-results']) input.MaxResults = Number(opts['max-results']);
  if (opts.status) input.TaskStatus = opts.status;
  const tasks = [];
  let calls = 0;
  for await (const page of paginateListBatchLoadTasks({ client }, input)) {
    calls++;
    for (const t of page.BatchLoadTasks || []) tasks.push(t.TaskId);
  }
  return { tasks, calls };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const got = await walk(opts);
  process.stderr.write(`replay-walk.js: ${got.tasks.length} tasks in ` +
    `${got.calls} calls\n`);
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify(got) + '\n');
  if (opts.expect) {
    const want = JSON.parse(fs.readFileSync(opts.expect, 'utf8')).tasks;
    if (JSON.stringify(want) !== JSON.stringify(got.tasks)) {
      process.stderr.write('replay-walk.js: the walk differs from ' +
        `${opts.expect}:\n  want ${JSON.stringify(want)}\n  got  ` +
        `${JSON.stringify(got.tasks)}\n`);
      process.exit(1);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`replay-walk.js: ${e.name || 'Error'}: ${e.message}\n`);
  process.exit(1);
});
