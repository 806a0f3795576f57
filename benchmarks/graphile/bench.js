// graphile-worker's side of the job queue benchmark (benchmarks/src/jobs/graphile.rs drives it).
//
//   node bench.js <database url> <default|batched> <jobs> <concurrency> <latency samples>
//
// Installs graphile-worker's schema in the (fresh) database, adds <jobs> no-op jobs in one
// add_jobs call, prints "ready", then follows the driver's lines on stdin:
//   go       starts a worker in the chosen settings (the driver times until the table is empty)
//   stop     stops it gracefully (its pool is closed: PostgreSQL's counters are then flushed);
//            prints "stopped"
//   latency  starts a worker again, adds <samples> jobs one at a time, each once the previous
//            one started, and prints {"p50": ms, "p99": ms} of add_job-to-start and the p50
//            of add_job alone ({"add_p50": ms}); then exits.
"use strict";

const readline = require("node:readline");
const { Pool } = require("pg");
const { run, runMigrations, Logger } = require("graphile-worker");

const [url, mode, jobsArg, concurrencyArg, samplesArg] = process.argv.slice(2);
const jobs = Number.parseInt(jobsArg, 10);
const concurrency = Number.parseInt(concurrencyArg, 10);
const samples = Number.parseInt(samplesArg, 10);

// Its defaults, or the batching its own perfTest uses (perfTest/graphile.config.js).
const SETTINGS = {
  default: {},
  batched: {
    maxPoolSize: concurrency + 1,
    localQueue: { size: 500, refetchDelay: { durationMs: 10 } },
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
  },
};

if (!url || !(mode in SETTINGS) || !(jobs >= 0) || !(concurrency > 0) || !(samples > 0)) {
  console.error("usage: node bench.js <database url> <default|batched> <jobs> <concurrency> <samples>");
  process.exit(2);
}

const silent = new Logger(() => () => {});
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function expect(word) {
  const { value, done } = await lines.next();
  if (done || value.trim() !== word) {
    throw new Error(`expected "${word}" from the driver, got ${done ? "end of input" : value}`);
  }
}

/** Started jobs of the latency measure: sample id -> resolve(start time). */
const waiting = new Map();

function startWorker() {
  return run({
    connectionString: url,
    logger: silent,
    noHandleSignals: true,
    taskList: {
      noop: async () => {},
      latency: async ({ id }) => {
        const started = process.hrtime.bigint();
        waiting.get(id)?.(started);
      },
    },
    preset: { worker: { concurrentJobs: concurrency, ...SETTINGS[mode] } },
  });
}

function percentile(sorted, q) {
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

async function latency() {
  const pool = new Pool({ connectionString: url, max: 1 });
  const runner = await startWorker();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const client = await pool.connect();
  const delays = [];
  const commits = [];
  try {
    for (let id = 0; id < samples; id++) {
      const started = new Promise((resolve) => waiting.set(id, resolve));
      const added = process.hrtime.bigint();
      await client.query("select graphile_worker.add_job('latency', json_build_object('id', $1::int))", [id]);
      commits.push(Number(process.hrtime.bigint() - added) / 1e6);
      delays.push(Number((await started) - added) / 1e6);
      waiting.delete(id);
    }
  } finally {
    client.release();
  }
  await runner.stop();
  await pool.end();
  delays.sort((a, b) => a - b);
  commits.sort((a, b) => a - b);
  return { p50: percentile(delays, 0.5), p99: percentile(delays, 0.99), add_p50: percentile(commits, 0.5) };
}

async function main() {
  await runMigrations({ connectionString: url, logger: silent });
  const pool = new Pool({ connectionString: url, max: 1 });
  const spec = JSON.stringify(Array.from({ length: jobs }, () => ({ identifier: "noop", payload: {} })));
  await pool.query(
    "select 1 from graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, $1::json)))",
    [spec],
  );
  // Closed, so that its commits are counted before the measure starts.
  await pool.end();
  console.log("ready");
  await expect("go");
  const runner = await startWorker();
  await expect("stop");
  await runner.stop();
  console.log("stopped");
  await expect("latency");
  console.log(JSON.stringify(await latency()));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
