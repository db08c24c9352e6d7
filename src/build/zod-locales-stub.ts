/**
 * Bundle-time stand-in for zod's `v4/locales/index.js` (wired by `[alias]` in wrangler.toml; never imported by name).
 *
 * zod re-exports every locale as a namespace (`export * as locales` in `zod/v4/classic/external.js` and
 * `zod/v4/core/index.js`), and @hono/zod-openapi hands the whole `z` namespace to zod-to-openapi, so esbuild keeps
 * all ~50 message tables: about 260 KiB minified, 40 KiB gzipped. The API's messages are English and nothing reads
 * `z.locales`. zod sets its default (English) error map itself, from `locales/en.js` in `v4/classic/schemas.js`,
 * which the alias does not touch; `en` stays here so `z.locales.en` / `z.core.locales.en` still work, from the same
 * module zod uses. Only `wrangler deploy`/`dev`/`check startup` apply the alias; the test pool bundles with Vite and
 * loads zod's full index (same messages).
 */
export { default as en } from 'zod/v4/locales/en.js'
