/** Runs the project's TypeScript compiler (`tsc --noEmit`) on a folder of generated files and client code. */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const TSC = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url))

export interface TypecheckResult {
  ok: boolean
  output: string
}

/**
 * Type-checks `files` (relative to `dir`) with a strict browser-app style configuration: no Node or Workers
 * types, DOM for `fetch`, modules resolved the way a bundler does.
 */
export async function typecheck(
  dir: string,
  files: string[],
  name = 'tsconfig.json',
): Promise<TypecheckResult> {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'bundler',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
    },
    files,
  }
  const project = join(dir, name)
  writeFileSync(project, `${JSON.stringify(config, null, 2)}\n`)
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      TSC,
      '-p',
      project,
      '--pretty',
      'false',
    ])
    return { ok: true, output: stdout + stderr }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string }
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` || failed.message }
  }
}
