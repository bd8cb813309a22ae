// Lists batch load tasks with the AWS SDK for JavaScript v3 paginator,
// following every page.
//
// A client adapter (docs/guide-client-authors.md, "Adapters"): the inputs
// come from the environment, BLT_MAX_RESULTS (MaxResults, sent as given,
// even out of range: the SDK does not check it) and BLT_TASK_STATUS
// (TaskStatus); unset or empty means absent. The endpoint is the one the
// SDK finds itself (AWS_ENDPOINT_URL_TIMESTREAM_WRITE or AWS_ENDPOINT_URL;
// with either set the SDK does not call DescribeEndpoints) unless
// --endpoint URL gives it explicitly (the client's endpoint option).
// Credentials and region come from the environment (AWS_REGION).
//
// Prints each TaskId on a line of its own and exits 0. On an error it
// prints "TYPE: message" on stderr (TYPE is the service's error type, such
// as ValidationException, or the SDK's error name) and exits 1; 2 for a
// usage error. A NextToken seen twice in one walk is an error
// (RepeatedNextToken).
//
// usage: node list-tasks.js [--endpoint URL]
'use strict';

const {
  TimestreamWriteClient,
  paginateListBatchLoadTasks,
} = require('@aws-sdk/client-timestream-write');

class RepeatedNextToken extends Error {
  constructor(token) {
    super(`the server sent NextToken '${token.slice(0, 40)}' twice`);
    this.name = 'RepeatedNextToken';
  }
}

// The request members from BLT_MAX_RESULTS and BLT_TASK_STATUS; null after
// saying what is wrong.
function inputs() {
  const input = {};
  const max = process.env.BLT_MAX_RESULTS || '';
  if (max) {
    if (!/^-?[0-9]+$/.test(max)) {
      process.stderr.write(`list-tasks.js: BLT_MAX_RESULTS: '${max}' is ` +
        'not an integer\n');
      return null;
    }
    input.MaxResults = Number(max);
  }
  if (process.env.BLT_TASK_STATUS)
    input.TaskStatus = process.env.BLT_TASK_STATUS;
  return input;
}

async function main(argv) {
  if (argv.length !== 0 && (argv.length !== 2 || argv[0] !== '--endpoint')) {
    process.stderr.write('usage: node list-tasks.js [--endpoint URL]\n');
    return 2;
  }
  const input = inputs();
  if (!input)
    return 2;
  const client = new TimestreamWriteClient(
    argv.length ? { endpoint: argv[1] } : {});
  const seen = new Set();
  try {
    for await (const page of paginateListBatchLoadTasks({ client }, input)) {
      for (const t of page.BatchLoadTasks || [])
        process.stdout.write(`${t.TaskId || ''}\n`);
      const token = page.NextToken;
      if (token && seen.has(token))
        throw new RepeatedNextToken(token);
      if (token)
        seen.add(token);
    }
  } catch (e) {
    process.stderr.write(`${(e && e.name) || 'Error'}: ` +
      `${(e && e.message) || e}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
