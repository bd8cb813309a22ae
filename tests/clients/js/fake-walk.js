// Drives blt-fake with the real AWS SDK for JavaScript v3: pages through
// every task with paginateListBatchLoadTasks and checks each is seen exactly
// once (against a raw walk over plain HTTP), per filter too, and that an
// invalid MaxResults and an invalid TaskStatus surface as
// ValidationException with HTTP status 400.
// Usage: node fake-walk.js ENDPOINT [RAW_ENDPOINT]
// RAW_ENDPOINT (default ENDPOINT) is where the raw walk goes: an unsigned
// blt-fake with the same data when ENDPOINT verifies signatures.
'use strict';

const {
  TimestreamWriteClient,
  ListBatchLoadTasksCommand,
  paginateListBatchLoadTasks,
} = require('@aws-sdk/client-timestream-write');

const STATUSES = ['CREATED', 'IN_PROGRESS', 'FAILED', 'SUCCEEDED',
  'PROGRESS_STOPPED', 'PENDING_RESUME'];

let failures = 0;

function check(ok, what) {
  if (!ok) {
    failures++;
    process.stderr.write('FAIL: ' + what + '\n');
  }
}

// The tasks blt-fake serves, by a walk over plain HTTP (no SDK).
async function rawWalk(endpoint) {
  const tasks = [];
  let token;
  for (let pages = 0; pages < 100000; pages++) {
    const body = { MaxResults: 100 };
    if (token)
      body.NextToken = token;
    const res = await fetch(endpoint + '/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'Timestream_20181101.ListBatchLoadTasks',
      },
      body: JSON.stringify(body),
    });
    if (res.status !== 200)
      throw new Error('raw walk: status ' + res.status);
    const doc = await res.json();
    tasks.push(...doc.BatchLoadTasks);
    token = doc.NextToken;
    if (!token)
      return tasks;
  }
  throw new Error('raw walk does not end');
}

async function sdkWalk(client, input, pageSize) {
  const ids = [];
  let pages = 0;
  for await (const page of paginateListBatchLoadTasks(
    { client, pageSize }, input)) {
    pages++;
    check(page.BatchLoadTasks.length <= pageSize,
      `page ${pages} has ${page.BatchLoadTasks.length} > ${pageSize} items`);
    for (const t of page.BatchLoadTasks) {
      check(typeof t.CreationTime === 'object' && t.CreationTime instanceof Date,
        `CreationTime of ${t.TaskId} was not read as a timestamp`);
      ids.push(t.TaskId);
    }
  }
  return ids;
}

function sameSet(got, want, what) {
  const seen = new Set();
  for (const id of got) {
    check(!seen.has(id), `${what}: ${id} seen twice`);
    seen.add(id);
  }
  check(got.length === want.length,
    `${what}: ${got.length} tasks, blt-fake serves ${want.length}`);
  for (const id of want)
    check(seen.has(id), `${what}: ${id} never seen`);
}

async function expectValidation(client, input, what) {
  try {
    await client.send(new ListBatchLoadTasksCommand(input));
    check(false, `${what}: accepted`);
  } catch (e) {
    check(e.name === 'ValidationException',
      `${what}: error ${e.name}, want ValidationException`);
    check(e.$metadata && e.$metadata.httpStatusCode === 400,
      `${what}: status ${e.$metadata && e.$metadata.httpStatusCode}`);
    check(typeof e.message === 'string' && e.message.length > 0,
      `${what}: no message`);
  }
}

async function main(argv) {
  if (argv.length < 1 || argv.length > 2) {
    process.stderr.write('usage: node fake-walk.js ENDPOINT [RAW_ENDPOINT]\n');
    return 2;
  }
  const endpoint = argv[0];
  const rawEndpoint = argv[1] || endpoint;
  const client = new TimestreamWriteClient({
    region: 'us-east-1',
    endpoint,
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    },
    maxAttempts: 1,
  });
  const raw = await rawWalk(rawEndpoint);
  check(raw.length > 0, 'blt-fake serves no tasks');
  const all = raw.map((t) => t.TaskId);

  for (const size of [1, 7, 100])
    sameSet(await sdkWalk(client, {}, size), all, `walk by ${size}`);
  for (const status of STATUSES) {
    const want = raw.filter((t) => t.TaskStatus === status)
      .map((t) => t.TaskId);
    check(want.length > 0, `no ${status} task to filter`);
    sameSet(await sdkWalk(client, { TaskStatus: status }, 13), want,
      `filter ${status}`);
  }
  await expectValidation(client, { MaxResults: 0 }, 'MaxResults 0');
  await expectValidation(client, { TaskStatus: 'RUNNING' },
    'TaskStatus RUNNING');
  process.stdout.write(`fake-walk: ${all.length} tasks, ` +
    `${failures} failure(s)\n`);
  return failures ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write('fake-walk: ' + (e && e.stack || e) + '\n');
  process.exitCode = 1;
});
