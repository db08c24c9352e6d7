import type { BenchResults } from '../results'
import { fmt, TARGETS, verdict } from './format'

export function workerSection(r: BenchResults): string[] {
  const b = r.bundle
  const files = b.files
    .map(
      (f) =>
        `\`${f.name}\` ${fmt(f.bytes / 1024, 1)} KiB raw, ${fmt(f.gzipBytes / 1024, 1)} KiB gzip (Node zlib default level)`,
    )
    .join('; ')
  return [
    '## 6. The Worker: bundle and start-up',
    '',
    `- Command: \`${b.command}\`.`,
    `- Bundle: ${files}. wrangler reports: ${b.wranglerReported ?? 'n/a'}. Target ≤ ${TARGETS.bundleGzipKiB} KiB gzip: ${verdict(b.gzipKiB <= TARGETS.bundleGzipKiB)}.`,
    `- Largest contributors (minified bytes, esbuild metafile): ${b.byPackage.map((p) => `${p.name} ${fmt(p.kib, 1)} KiB`).join(', ')}. zod's locale tables left: ${fmt(b.zodLocalesKiB, 1)} KiB (\`en\`, its default error map; \`[alias]\` in wrangler.toml stubs the other ~50, unused).`,
    r.wranglerDevStartupMs
      ? `- Start-up, the bundle under Miniflare: ${r.datasets.flatMap((d) => d.workerStartupMs).join(', ')} ms from spawning its host to the first 200 from \`GET /health\` ` +
        "(one per start in this run; includes Node and Miniflare's own start, workerd's and one `SELECT 1`). " +
        `Under \`wrangler dev\` (the comparison row): ${r.wranglerDevStartupMs.join(', ')} ms, its own esbuild bundling included.`
      : `- Start-up, \`wrangler dev\`: ${r.datasets.flatMap((d) => d.workerStartupMs).join(', ')} ms from spawning wrangler to the first 200 from \`GET /health\` ` +
        "(one per wrangler start in this run; includes wrangler's own esbuild bundling, workerd's start and one `SELECT 1`).",
    b.startup
      ? `- Start-up, the Worker's own top-level code: \`${b.startup.command}\` (workerd under the V8 CPU profiler, local CPU): ${fmt(b.startup.scriptCpuMs, 1)} ms of sampled script CPU (+ ${fmt(b.startup.gcMs, 1)} ms GC) in a ${fmt(b.startup.profiledMs, 1)} ms profile. Cloudflare's limit for start-up is 400 ms (1 s on paid plans).`
      : '- Start-up profile: `wrangler check startup` failed in this run.',
    '',
  ]
}
