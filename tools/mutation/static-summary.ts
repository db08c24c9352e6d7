/**
 * `npm run -s mutation:static-summary`: the score of the static mutants alone, from the incremental file of
 * `npm run test:mutation:static` (kept in git). That run also runs non-static mutants, against its few tests only:
 * those are scored by `npm run test:mutation`. Prints per file and in all, and each static mutant not detected.
 */
import { readFileSync } from 'node:fs'

type Mutant = {
  static?: boolean
  status: string
  mutatorName: string
  replacement?: string
  location: { start: { line: number } }
}
type Report = { files: Record<string, { mutants: Mutant[] }> }

const REPORT = 'reports/mutation/static/stryker-incremental.json'
const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report
const score = (detected: number, undetected: number) =>
  detected + undetected === 0 ? '-' : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`

let detected = 0
let undetected = 0
const missed: string[] = []
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const own = mutants.filter((mutant) => mutant.static === true)
  if (own.length === 0) continue
  const fileDetected = own.filter((mutant) => DETECTED.has(mutant.status)).length
  const fileUndetected = own.filter((mutant) => UNDETECTED.has(mutant.status))
  detected += fileDetected
  undetected += fileUndetected.length
  console.log(`${score(fileDetected, fileUndetected.length).padStart(6)}  ${own.length}\t${file}`)
  for (const mutant of fileUndetected) {
    const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)
    missed.push(
      `${file}:${mutant.location.start.line} ${mutant.status} ${mutant.mutatorName}: ${replacement}`,
    )
  }
}
console.log(
  `static mutants: ${score(detected, undetected)} detected (${detected} killed or timed out, ${undetected} not)`,
)
for (const line of missed) console.log(`  ${line}`)
