/**
 * `npm run -s mutation:static-summary`: the score of the static mutants alone. Which mutants are static is read
 * from `npm run test:mutation`'s incremental file (its `--ignoreStatic` runs leave them ignored as such); their
 * results from `npm run test:mutation:static`'s (which also runs non-static mutants, against its few tests only:
 * those are scored by the main run). Both files are in git. Prints per file and in all, and each one not detected.
 */
import { readFileSync } from 'node:fs'

type Mutant = {
  id: string
  status: string
  statusReason?: string
  mutatorName: string
  replacement?: string
  location: { start: { line: number } }
}
type Report = { files: Record<string, { mutants: Mutant[] }> }

const MAIN = 'reports/mutation/stryker-incremental.json'
const STATIC = 'reports/mutation/static/stryker-incremental.json'
const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report
const staticIds = new Set(
  Object.values(read(MAIN).files)
    .flatMap(({ mutants }) => mutants)
    .filter((mutant) => mutant.statusReason?.startsWith('Static mutant'))
    .map((mutant) => mutant.id),
)
const report = read(STATIC)
const score = (detected: number, undetected: number) =>
  detected + undetected === 0 ? '-' : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`

let detected = 0
let undetected = 0
let ignored = 0
const survivors: string[] = []
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const own = mutants.filter((mutant) => staticIds.has(mutant.id))
  if (own.length === 0) continue
  const fileDetected = own.filter((mutant) => DETECTED.has(mutant.status)).length
  const fileUndetected = own.filter((mutant) => UNDETECTED.has(mutant.status))
  detected += fileDetected
  undetected += fileUndetected.length
  ignored += own.filter((mutant) => mutant.status === 'Ignored').length
  console.log(`${score(fileDetected, fileUndetected.length).padStart(6)}  ${own.length}\t${file}`)
  for (const mutant of fileUndetected) {
    const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)
    survivors.push(
      `${file}:${mutant.location.start.line} ${mutant.status} ${mutant.mutatorName}: ${replacement}`,
    )
  }
}
console.log(
  `static mutants: ${score(detected, undetected)} detected (${detected} killed or timed out, ${undetected} not), ` +
    `${ignored} marked equivalent`,
)
for (const line of survivors) console.log(`  ${line}`)
