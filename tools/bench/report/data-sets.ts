import type { BenchResults, DatasetResult } from '../results'
import { count, table } from './format'

export function dataSetsSection(r: BenchResults): string[] {
  return [
    '## 1. Data sets',
    '',
    'Generated inside PostgreSQL by `tools/bench/generate.ts` (its header describes the shape): power-law favourites per user ' +
      'and per activity, every tenth activity in company 1 (the largest), `created_at` over two years; then `VACUUM (ANALYZE)`. ' +
      '`small` and `full` keep a generated data set for later runs (`tools/bench/data-cache.ts`): a run reuses one ' +
      'generated from the same migrations and generator within `BENCH_DATA_MAX_AGE_HOURS` (12 h by default) as a copy ' +
      '(`CREATE DATABASE ... TEMPLATE`), and `--fresh-data` generates anew.',
    '',
    table(
      [
        'data set',
        'users',
        'activities',
        'companies',
        'favourites',
        'per user p50 / p90 / p99 / max',
        'top activity',
        'largest company',
        'generated in',
      ],
      r.datasets.map(({ scale, data, origin }) => [
        scale,
        count(data.users),
        count(data.activities),
        count(data.companies),
        count(data.favorites),
        `${data.favoritesPerUser.p50} / ${data.favoritesPerUser.p90} / ${data.favoritesPerUser.p99} / ${data.favoritesPerUser.max}`,
        count(data.topActivity.favorites),
        `${count(data.largestCompany.activities)} activities, ${count(data.largestCompany.favorites)} favourites`,
        generatedIn(data, origin),
      ]),
    ),
    '',
    ...stageLines(r),
  ]
}

function generatedIn(data: DatasetResult['data'], origin: DatasetResult['origin']): string {
  const steps = `${data.totalSeconds} s (${data.steps.map((s) => `${s.step} ${s.seconds}`).join('; ')})`
  if (!origin) return steps
  return origin.reused
    ? `reused: generated ${origin.generatedAt.slice(0, 16).replace('T', ' ')} UTC by an earlier run, in ${steps}`
    : `${steps}, kept for later runs`
}

/** Where the run's wall time went, per data set and stage (results without stages: nothing). */
function stageLines(r: BenchResults): string[] {
  const timedSets = r.datasets.filter((d) => d.stages !== undefined)
  if (timedSets.length === 0) return []
  const inSets = timedSets.reduce((a, d) => a + (d.stages ?? []).reduce((b, s) => b + s.seconds, 0), 0)
  return [
    `Run time by stage (the run took ${r.durationSeconds} s; ${Math.round(r.durationSeconds - inSets)} s of it outside ` +
      'these stages: PostgreSQL, the bundle and its start-up, the samples, starting Workers, the replica stage):',
    '',
    ...timedSets.map(
      (d) =>
        `- ${d.scale}: ${(d.stages ?? []).map((s) => `${s.step} ${Math.round(s.seconds)} s`).join('; ')}`,
    ),
    '',
  ]
}
