/**
 * `npm run client:generate [-- --from URL|FILE] [--out PATH]`: writes TypeScript types for the API
 * (default `client/schema.d.ts`) for use with openapi-fetch:
 *
 *   import createClient from 'openapi-fetch'
 *   import type { paths } from './client/schema'
 *   const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:8787', headers: { Authorization: `Bearer ${t}` } })
 *   const { data, error } = await api.GET('/favorites', { params: { query: { limit: 20 } } })
 *
 * The document comes, by default, from the Worker's code in-process (no server needed); `--from` takes a running
 * server's document instead (e.g. `--from http://127.0.0.1:8787/openapi.json` while `npm run dev` runs) or a file
 * (e.g. `dist/openapi.json` from `npm run openapi:export`).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateClientTypes } from './client-types'
import { buildOpenApiDocument, type OpenApiDocument } from './document'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DEFAULT_OUT = resolve(ROOT, 'client/schema.d.ts')

const BIOME = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome')

/** Inside the repository, the file is formatted the project's way, so `npm run lint` passes with it present. */
function formatInRepository(path: string): void {
  const inside = relative(ROOT, path)
  if (inside.startsWith('..') || isAbsolute(inside)) return
  execFileSync(process.execPath, [BIOME, 'check', '--write', '--no-errors-on-unmatched', inside], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

const USAGE = 'usage: npm run client:generate [-- --from URL|FILE] [--out PATH]'

async function loadDocument(
  from: string | undefined,
): Promise<{ document: OpenApiDocument; source: string }> {
  if (from === undefined) {
    return { document: await buildOpenApiDocument(), source: 'the Worker code (src/index.ts, in-process)' }
  }
  if (/^https?:\/\//.test(from)) {
    const response = await fetch(from, { signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new Error(`GET ${from} answered ${response.status}`)
    return { document: (await response.json()) as OpenApiDocument, source: from }
  }
  const path = resolve(from)
  return {
    document: JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument,
    source: relative(ROOT, path) || path,
  }
}

function parseArgs(argv: string[]): { from?: string; out: string } {
  let from: string | undefined
  let out = DEFAULT_OUT
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = argv[i + 1]
    if ((arg === '--from' || arg === '--out') && value !== undefined) {
      if (arg === '--from') from = value
      else out = resolve(value)
      i++
    } else {
      throw new Error(`unexpected argument ${arg}\n${USAGE}`)
    }
  }
  return { from, out }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { from, out } = parseArgs(process.argv.slice(2))
    // The Worker logs one JSON line per request; keep stdout for the result.
    console.log = () => undefined
    const { document, source } = await loadDocument(from)
    const types = await generateClientTypes(document, source)
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, types)
    formatInRepository(out)
    process.stdout.write(`client types written to ${relative(process.cwd(), out) || out} (from ${source})\n`)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}
