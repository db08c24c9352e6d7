/**
 * The Worker itself: the bundle `wrangler deploy --dry-run` produces with wrangler.toml's build settings (`minify`,
 * `[alias]`), i.e. what a deploy uploads (raw and gzipped, and what is in it, from esbuild's metafile), and its
 * start-up CPU profile from `wrangler check startup` (workerd, local CPU).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ROOT } from '../root'
import { runWrangler } from '../wrangler'
import { round } from './stats'

export interface BundleResult {
  command: string
  files: { name: string; bytes: number; gzipBytes: number }[]
  rawKiB: number
  gzipKiB: number
  /** wrangler's own "Total Upload: X KiB / gzip: Y KiB" line (includes its module wrapper). */
  wranglerReported: string | undefined
  /** Largest contributors to the minified output, by package. */
  byPackage: { name: string; kib: number }[]
  /** zod locale tables still in the bundle: only `en.js` (zod's default error map) while `[alias]` stubs the index. */
  zodLocalesKiB: number
  /** gzip of the bundled zod locale source files together: roughly what dropping them would save gzipped. */
  zodLocalesGzipKiB?: number
  startup?: StartupProfile
}

export interface StartupProfile {
  command: string
  /** Wall time the profile covers (profiler start to end) in ms. */
  profiledMs: number
  /** Sampled CPU time in the Worker's top-level code and what it calls (excluding idle/program/GC) in ms. */
  scriptCpuMs: number
  gcMs: number
}

interface Metafile {
  outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }>
}

/** Where measureBundle leaves the Worker's bundle (its entry module), which the Miniflare harness runs. */
export const bundleEntry = (workDir: string) => join(workDir, 'bundle', 'index.js')

export async function measureBundle(workDir: string): Promise<BundleResult> {
  const outdir = dirname(bundleEntry(workDir))
  const metafile = join(workDir, 'bundle-meta.json')
  mkdirSync(outdir, { recursive: true })
  // No --minify: wrangler.toml sets it, so this measures what `wrangler deploy` ships.
  const args = ['deploy', '--dry-run', '--outdir', outdir, '--metafile', metafile]
  const deploy = await runWrangler(args, { env: { XDG_CONFIG_HOME: join(workDir, 'wrangler-config') } })
  if (deploy.status !== 0)
    throw new Error(`wrangler deploy --dry-run failed:\n${deploy.stdout}\n${deploy.stderr}`)
  const reported = /Total Upload: ([^\n]+)/.exec(`${deploy.stdout}\n${deploy.stderr}`)?.[1]?.trim()
  const files = readdirSync(outdir)
    .filter((name) => /\.(m?js|wasm)$/.test(name))
    .map((name) => {
      const bytes = readFileSync(join(outdir, name))
      return { name, bytes: statSync(join(outdir, name)).size, gzipBytes: gzipSync(bytes).length }
    })
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as Metafile
  const byPackage = new Map<string, number>()
  let zodLocales = 0
  const localeSources: Buffer[] = []
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs ?? {})) {
      const pkg =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ??
        (path.startsWith('src/') ? 'src (this project)' : path)
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + input.bytesInOutput)
      if (path.includes('node_modules/zod/') && path.includes('/locales/')) {
        zodLocales += input.bytesInOutput
        if (input.bytesInOutput > 0) localeSources.push(readFileSync(join(ROOT, path)))
      }
    }
  }
  const total = (key: 'bytes' | 'gzipBytes') => files.reduce((a, f) => a + f[key], 0)
  return {
    command: `npx wrangler ${args.join(' ').replace(outdir, '<tmp>/bundle').replace(metafile, '<tmp>/bundle-meta.json')}`,
    files,
    rawKiB: round(total('bytes') / 1024, 1),
    gzipKiB: round(total('gzipBytes') / 1024, 1),
    wranglerReported: reported,
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, bytes]) => ({ name, kib: round(bytes / 1024, 1) })),
    zodLocalesKiB: round(zodLocales / 1024, 1),
    zodLocalesGzipKiB: round(gzipSync(Buffer.concat(localeSources)).length / 1024, 1),
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** `wrangler check startup`: workerd runs the Worker's top level under the CPU profiler. Undefined if it fails. */
export async function measureStartup(workDir: string): Promise<StartupProfile | undefined> {
  const outfile = join(workDir, 'worker-startup.cpuprofile')
  const check = await runWrangler(['check', 'startup', '--outfile', outfile], {
    env: { XDG_CONFIG_HOME: join(workDir, 'wrangler-config') },
    timeoutMs: 120_000,
  })
  if (check.status !== 0) return undefined
  const profile = JSON.parse(readFileSync(outfile, 'utf8')) as CpuProfile
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]))
  let script = 0
  let gc = 0
  profile.samples.forEach((id, i) => {
    const name = names.get(id)
    const delta = profile.timeDeltas[i] ?? 0
    if (name === '(garbage collector)') gc += delta
    else if (name !== '(idle)' && name !== '(program)' && name !== '(root)') script += delta
  })
  return {
    command: 'npx wrangler check startup',
    profiledMs: round((profile.endTime - profile.startTime) / 1000, 1),
    scriptCpuMs: round(script / 1000, 1),
    gcMs: round(gc / 1000, 1),
  }
}
