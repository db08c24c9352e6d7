/**
 * Swagger UI in a real browser (headless Chromium): the page loads only from the Worker (no CDN, nothing else),
 * "Authorize" takes a bearer token for the document's `bearerAuth` scheme, and "Try it out" -> "Execute" on
 * GET /favorites shows the Worker's 200. A screenshot is saved under test-results/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createActivity,
  createFavorite,
  createUser,
  newCompanyId,
  userToken,
  worker,
} from './support/fixtures'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCREENSHOTS = join(ROOT, 'test-results/contract')
/** Debian's `chromium` package; CHROMIUM_PATH for another build (`npx playwright install` needs the network). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * On a developer's machine without Chromium the browser test is skipped (so `npm test` needs nothing installed);
 * under CI (`CI=true`, where `.ci/run` installs it) a missing Chromium is a failure.
 */
const skipBrowser = !existsSync(CHROMIUM) && process.env.CI !== 'true'

let context: BrowserContext
let profile: string
/** Every request the page made, and those to any origin but the Worker's. */
const requests: string[] = []
const foreign: string[] = []

beforeAll(async () => {
  if (skipBrowser) return
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: \`apt-get install -y chromium\`, or set CHROMIUM_PATH`)
  }
  profile = mkdtempSync(join(tmpdir(), 'contract-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 1600 },
  })
  const origin = new URL(worker.baseUrl).origin
  // Anything not for the Worker is recorded and refused, so a CDN dependency fails the test instead of hanging.
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    requests.push(url)
    if (new URL(url).origin === origin) await route.continue()
    else {
      foreign.push(url)
      await route.abort('blockedbyclient')
    }
  })
})

afterAll(async () => {
  await context?.close()
  if (profile) rmSync(profile, { recursive: true, force: true })
})

describe.skipIf(skipBrowser)('Swagger UI at /ui (needs Chromium: apt-get install -y chromium)', () => {
  // Loading Swagger UI's 1.4 MB bundle takes a few seconds on a busy machine.
  it('authorizes with a bearer token and runs GET /favorites with "Try it out"', {
    timeout: 60_000,
  }, async () => {
    const userId = await createUser()
    const activityId = await createActivity(newCompanyId(), 'Swagger UI pottery class', 'SLOT_BASED')
    await createFavorite(userId, activityId, new Date())
    const token = await userToken(userId)

    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const apiCalls: { url: string; authorization: string | undefined }[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/favorites') {
        apiCalls.push({ url: request.url(), authorization: request.headers().authorization })
      }
    })

    const response = await page.goto(`${worker.baseUrl}/ui`)
    expect(response?.status()).toBe(200)
    await page.locator('.swagger-ui .info .title').getByText('Activity favourites API').waitFor()

    // "Authorize": the dialog offers the document's bearerAuth scheme; paste the token.
    await page.locator('.scheme-container button.authorize').click()
    const dialog = page.locator('.dialog-ux .modal-ux')
    await expect
      .poll(() => dialog.locator('.auth-container h4').first().textContent())
      .toContain('bearerAuth')
    await dialog.locator('#auth-bearer-value').fill(token)
    await dialog.locator('button.auth.authorize').click()
    await dialog.locator('button.btn-done').click()

    // GET /favorites -> "Try it out" -> "Execute".
    const operation = page.locator('#operations-favorites-listFavorites')
    await operation.locator('.opblock-summary-control').click()
    await operation.locator('button.try-out__btn').click()
    await operation.locator('button.execute').click()
    const status = operation.locator('.live-responses-table .response .response-col_status').first()
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('200')
    const body = operation.locator('.live-responses-table .response-col_description pre').first()
    await expect.poll(() => body.textContent()).toContain(activityId)

    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: join(SCREENSHOTS, 'swagger-ui-try-it-out.png'), fullPage: true })

    expect(apiCalls).toEqual([
      { url: `${worker.baseUrl}/favorites?limit=20`, authorization: `Bearer ${token}` },
    ])
    expect(requests.some((url) => url.endsWith('/ui/swagger-ui-dist/swagger-ui-bundle.js'))).toBe(true)
    expect(foreign).toEqual([])
  })
})
