/**
 * Re-renders a report from saved results without re-running the benchmark:
 * `tsx tools/bench/render.ts [bench/results/full.json] [BENCHMARKS.md]`.
 */
import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeReport } from './report'
import type { BenchResults } from './results'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const input = resolve(ROOT, process.argv[2] ?? 'bench/results/full.json')
const output = resolve(ROOT, process.argv[3] ?? 'BENCHMARKS.md')
const results = JSON.parse(readFileSync(input, 'utf8')) as BenchResults
const charts = writeReport(results, { root: ROOT, resultsFile: relative(ROOT, input), reportFile: output })
console.log(`wrote ${relative(ROOT, output)} and its charts in ${charts}/`)
