/**
 * `npm run bench [-- --scale small|full|smoke]`: the performance benchmark suite (tools/bench/suite.ts). The
 * default (`small`, 100k favourites) stays within 10 minutes on 2 cores; `--scale full` adds the 10M data set.
 * Measures round trips per request, the plans of the SQL each route sends, deep pagination, end-to-end load, the
 * Worker bundle and its start-up, then writes beside an analytics load on a streaming replica (replica-stage.ts);
 * writes bench/results/<scale>.json and a report (BENCHMARKS.md for full).
 */
import { cleanupAll, installSignalHandlers } from './cleanup'
import { SCALES, type ScaleName } from './generate'
import { invariantViolations } from './invariants'
import { runSuite, type SuiteOptions } from './suite'

function parseArgs(argv: string[]): SuiteOptions {
  let scale: ScaleName = 'small'
  let out: string | undefined
  let report: string | undefined
  let freshData = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if (arg === '--scale' && value) {
      if (!(value in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`)
      scale = value as ScaleName
      i++
    } else if (arg?.startsWith('--scale=')) {
      const v = arg.slice('--scale='.length)
      if (!(v in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`)
      scale = v as ScaleName
    } else if (arg === '--out' && value) {
      out = value
      i++
    } else if (arg === '--report' && value) {
      report = value
      i++
    } else if (arg === '--fresh-data') {
      freshData = true
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: npm run bench -- [--scale small|full|smoke] [--fresh-data] [--out results.json] [--report report.md]\n' +
          '  small (default): 100k favourites, writes bench/results/small.json and bench/results/small.md\n' +
          '  full: 100k and 10M favourites, writes bench/results/full.json and BENCHMARKS.md\n' +
          '  smoke: 5k favourites, every stage briefly (CI), writes into bench/results/tmp/\n' +
          '  small and full keep their generated data sets between runs (BENCH_DATA_DIR, default a folder of the\n' +
          '  temp dir) and reuse one up to BENCH_DATA_MAX_AGE_HOURS old (default 12); --fresh-data generates anew\n' +
          '  BENCH_DATABASE_URL=postgres://... uses that server (a fresh database in it) instead of starting one\n' +
          '  BENCH_REPLICA_URL=postgres://... with it: a streaming replica of that server, for the replica stage\n' +
          '  (without BENCH_DATABASE_URL the benchmark starts its own replica)',
      )
      process.exit(0)
    } else {
      throw new Error(`unknown argument ${arg} (try --help)`)
    }
  }
  return { scale, out, report, freshData }
}

/** An error with its chain of causes (drizzle's "Failed query" wraps the driver's error). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const own = error.stack ?? error.message
  return error.cause === undefined ? own : `${own}\ncaused by: ${describe(error.cause)}`
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  installSignalHandlers()
  const results = await runSuite(args)
  const broken = invariantViolations(results)
  for (const line of broken) console.error(`[bench] invariant broken: ${line}`)
  // The smoke run guards the suite and the design in CI: a broken invariant fails it (timings never do).
  if (broken.length > 0 && args.scale === 'smoke') process.exitCode = 1
}

main()
  .then(() => cleanupAll())
  .then(() => process.exit(process.exitCode ?? 0))
  .catch(async (error: unknown) => {
    console.error(`[bench] failed: ${describe(error)}`)
    await cleanupAll()
    process.exit(1)
  })
