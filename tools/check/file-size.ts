/**
 * Fails when a source file is over 400 lines (the project's rule: split it instead). Checks the files git tracks,
 * and the untracked ones it does not ignore, so that a new file is caught before it is committed too.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

const MAX_LINES = 400
const PATTERNS = ['*.ts', '*.tsx', '*.js', '*.mjs', '*.sql', '*.sh', '.ci/run']
// Written by tools, not by hand: migrations and their snapshots (drizzle-kit), benchmark results, lockfiles.
const GENERATED = [
  /^drizzle\//,
  /^bench\/results\//,
  /(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock)$/,
]

const listed = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...PATTERNS],
  {
    encoding: 'utf8',
  },
)
const files = [...new Set(listed.split('\0'))]
  .filter((file) => file !== '' && !GENERATED.some((pattern) => pattern.test(file)))
  // A file deleted in the working tree is still in the index until the deletion is staged.
  .filter((file) => existsSync(file))
  .sort()

const offenders: { file: string; lines: number }[] = []
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  // As `wc -l` counts, plus a last line without a newline.
  const lines = text.split('\n').length - (text === '' || text.endsWith('\n') ? 1 : 0)
  if (lines > MAX_LINES) offenders.push({ file, lines })
}

if (offenders.length > 0) {
  console.error(`${offenders.length} file(s) over ${MAX_LINES} lines (split them):`)
  for (const { file, lines } of offenders) console.error(`  ${String(lines).padStart(5)} ${file}`)
  process.exit(1)
}
console.log(`${files.length} files, none over ${MAX_LINES} lines`)
