/**
 * `npm run openapi:export [-- OUT]`: writes the OpenAPI 3.1 document to OUT (default `dist/openapi.json`,
 * git-ignored) without starting a server: the Worker's app runs in-process (see document.ts).
 * `npm run openapi:lint` runs this, then `redocly lint` (redocly.yaml) on the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildOpenApiDocument, serializeDocument } from './document'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DEFAULT_DOCUMENT_PATH = resolve(ROOT, 'dist/openapi.json')

export async function exportOpenApiDocument(out = DEFAULT_DOCUMENT_PATH): Promise<string> {
  const document = await buildOpenApiDocument()
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, serializeDocument(document))
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_DOCUMENT_PATH
  // The Worker logs one JSON line per request; this is a build step, so keep stdout for the result only.
  console.log = () => undefined
  const written = await exportOpenApiDocument(out)
  process.stdout.write(`OpenAPI document written to ${relative(process.cwd(), written) || written}\n`)
}
