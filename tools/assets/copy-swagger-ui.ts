/**
 * Copies Swagger UI's browser assets from the pinned `swagger-ui-dist` package into `public/ui/swagger-ui-dist/`,
 * which the Worker serves as static assets, so `/ui` loads nothing from a third-party CDN.
 * Runs before `npm run dev`, `npm test` and `npm run deploy`; the folder is git-ignored.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']

const source = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const target = fileURLToPath(new URL('../../public/ui/swagger-ui-dist/', import.meta.url))
mkdirSync(target, { recursive: true })
for (const file of FILES) copyFileSync(join(source, file), join(target, file))
console.log(`Swagger UI assets copied to ${target}`)
