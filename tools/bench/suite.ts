/**
 * The whole run: PostgreSQL, the Worker bundle and its start-up, then each data set of the scale (the last one
 * also end to end); writes the raw figures (JSON) and the report rendered from them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { ROOT } from '../root'
import { bundleEntry, measureBundle, measureStartup } from './bundle'
import { onCleanup } from './cleanup'
import { runDataset } from './dataset'
import { lastMigration, loadAverage, machine, versions } from './environment'
import { SCALES, type ScaleName } from './generate'
import { log } from './log'
import { MEASUREMENT_PLANS } from './measurement-plans'
import { startBenchPostgres } from './postgres'
import { runReplicaStage } from './replica-stage'
import { writeReport } from './report'
import type { BenchResults, DatasetResult, E2eResult, WriteContention } from './results'

const CONCURRENCY = [8, 32]

export interface SuiteOptions {
  scale: ScaleName
  /** The JSON figures; default bench/results/<scale>.json (smoke: bench/results/tmp/). */
  out?: string
  /** The report; default BENCHMARKS.md for full, next to the JSON otherwise. */
  report?: string
  /** Generate the data sets even when an earlier run kept them (`--fresh-data`). */
  freshData?: boolean
}

export async function runSuite(options: SuiteOptions): Promise<BenchResults> {
  const plan = MEASUREMENT_PLANS[options.scale]
  const started = new Date()
  const loadAverageAtStart = loadAverage()
  const resultsDir =
    options.scale === 'smoke' ? join(ROOT, 'bench', 'results', 'tmp') : join(ROOT, 'bench', 'results')
  const outFile = options.out ?? join(resultsDir, `${options.scale}.json`)
  const reportFile =
    options.report ??
    (options.scale === 'full' ? join(ROOT, 'BENCHMARKS.md') : join(resultsDir, `${options.scale}.md`))
  const workDir = mkdtempSync(join(process.env.TMPDIR ?? os.tmpdir(), 'bench-run.'))
  onCleanup('work dir', () => rmSync(workDir, { recursive: true, force: true }))
  log(`scale ${options.scale}; logs in ${workDir} (removed at the end)`)

  // Small and full keep their data sets between runs (data-cache.ts); smoke, CI's, generates its own each time.
  const keep = options.scale === 'smoke' ? undefined : { fresh: options.freshData === true }
  const postgres = await startBenchPostgres(log, { keep: keep !== undefined })
  onCleanup('PostgreSQL', () => postgres.stop())

  log('bundle: wrangler deploy --dry-run (minified by wrangler.toml)')
  const bundle = await measureBundle(workDir)
  bundle.startup = await measureStartup(workDir)
  log(
    `  ${bundle.rawKiB} KiB raw, ${bundle.gzipKiB} KiB gzip; start-up CPU ${bundle.startup?.scriptCpuMs ?? '?'} ms`,
  )

  const datasets: DatasetResult[] = []
  let e2e: E2eResult[] = []
  let wranglerDevStartupMs: number[] = []
  let writeContention: WriteContention | undefined
  for (const [index, name] of plan.datasets.entries()) {
    const isLast = index === plan.datasets.length - 1
    const result = await runDataset(
      SCALES[name],
      plan,
      postgres.adminUrl,
      workDir,
      bundleEntry(workDir),
      isLast,
      CONCURRENCY,
      keep,
    )
    datasets.push(result.dataset)
    if (isLast) {
      e2e = result.e2e
      wranglerDevStartupMs = result.wranglerDevStartupMs
      writeContention = result.writeContention
    }
  }

  const firstScale = SCALES[plan.datasets[0] ?? options.scale]
  const replicaLoad = await runReplicaStage(postgres, firstScale, plan, workDir, CONCURRENCY[0] ?? 8)

  const finished = new Date()
  const results: BenchResults = {
    scale: options.scale,
    command: `npm run bench -- --scale ${options.scale}`,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
    machine: machine(loadAverageAtStart),
    versions: versions(postgres.version),
    postgres: { source: postgres.source, version: postgres.version, settings: postgres.settings },
    schema: lastMigration(),
    bundle,
    datasets,
    e2e,
    wranglerDevStartupMs,
    ...(writeContention ? { writeContention } : {}),
    replicaLoad,
    concurrency: CONCURRENCY,
    notes: [],
  }
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
  mkdirSync(dirname(reportFile), { recursive: true })
  writeReport(results, { root: ROOT, resultsFile: relative(ROOT, outFile), reportFile })
  log(`wrote ${relative(ROOT, outFile)} and ${relative(ROOT, reportFile)} in ${results.durationSeconds} s`)
  return results
}
