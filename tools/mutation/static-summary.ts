/**
 * `npm run -s mutation:static-summary`: the score of the static mutants alone. Which mutants are static is read
 * from `npm run test:mutation`'s incremental file (its `--ignoreStatic` runs leave them ignored as such; a result
 * carried over between runs loses its `static` flag, so the flag alone is not enough); their results from
 * `npm run test:mutation:static`'s. Both files are in git. That run also runs non-static mutants, against its few
 * tests only: those are scored by the main run. Prints per file and in all, and each static mutant not detected.
 *
 * A mutant that stops the Worker's modules from loading fails every test file before any test runs; Stryker's
 * vitest runner then sees no test result and reports it as survived with 0 tests completed. Those count here as
 * detected (the suite fails), apart.
 */
import { readFileSync } from 'node:fs'

type Mutant = {
  static?: boolean
  status: string
  statusReason?: string
  testsCompleted?: number
  mutatorName: string
  replacement?: string
  location: { start: { line: number; column: number }; end: { line: number; column: number } }
}
type Report = { files: Record<string, { mutants: Mutant[] }> }

const MAIN = 'reports/mutation/stryker-incremental.json'
const STATIC = 'reports/mutation/static/stryker-incremental.json'
const failsToLoad = (mutant: Mutant) => mutant.status === 'Survived' && mutant.testsCompleted === 0
const detected = (mutant: Mutant) =>
  mutant.status === 'Killed' || mutant.status === 'Timeout' || failsToLoad(mutant)
const undetected = (mutant: Mutant) =>
  (mutant.status === 'Survived' && !failsToLoad(mutant)) || mutant.status === 'NoCoverage'

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Report
// The two files number their mutants apart: a mutant is its file, place, mutator and replacement.
const keyOf = (file: string, { location: { start, end }, mutatorName, replacement }: Mutant) =>
  `${file}@${start.line}:${start.column}-${end.line}:${end.column} ${mutatorName}: ${replacement}`
const staticKeys = new Set(
  Object.entries(read(MAIN).files).flatMap(([file, { mutants }]) =>
    mutants.filter((mutant) => mutant.statusReason?.startsWith('Static mutant')).map((m) => keyOf(file, m)),
  ),
)
const report = read(STATIC)
const score = (detected: number, undetected: number) =>
  detected + undetected === 0 ? '-' : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`

let detectedCount = 0
let undetectedCount = 0
let loadFailures = 0
const missed: string[] = []
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const own = mutants.filter((mutant) => mutant.static === true || staticKeys.has(keyOf(file, mutant)))
  if (own.length === 0) continue
  const fileDetected = own.filter(detected).length
  const fileUndetected = own.filter(undetected)
  detectedCount += fileDetected
  undetectedCount += fileUndetected.length
  loadFailures += own.filter(failsToLoad).length
  console.log(`${score(fileDetected, fileUndetected.length).padStart(6)}  ${own.length}\t${file}`)
  for (const mutant of fileUndetected) {
    const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)
    missed.push(
      `${file}:${mutant.location.start.line} ${mutant.status} ${mutant.mutatorName}: ${replacement}`,
    )
  }
}
console.log(
  `static mutants: ${score(detectedCount, undetectedCount)} detected of ${detectedCount + undetectedCount} ` +
    `(${detectedCount}, of which ${loadFailures} stop the Worker from loading; ${undetectedCount} not)`,
)
for (const line of missed) console.log(`  ${line}`)
