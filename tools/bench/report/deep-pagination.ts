import type { BenchResults } from '../results'
import { details, fmt, TARGETS, table } from './format'

export function deepPaginationSection(r: BenchResults): string[] {
  const main = r.datasets.at(-1)
  return [
    '### Deep pagination (heaviest user, keyset vs OFFSET)',
    '',
    table(
      [
        'data set',
        'user favourites',
        'page size',
        'page',
        'page 1 p50 / p99',
        'page N p50 / p99',
        'OFFSET page N p50 / p99',
        'page N / page 1 (p50)',
        'OFFSET / page 1 (p50)',
        'same rows',
      ],
      r.datasets.map(({ scale, deepPagination: dp }) => [
        scale,
        dp.userFavorites,
        dp.pageSize,
        dp.page,
        `${fmt(dp.first.p50, 3)} / ${fmt(dp.first.p99, 3)}`,
        `${fmt(dp.deep.p50, 3)} / ${fmt(dp.deep.p99, 3)}`,
        `${fmt(dp.offset.p50, 3)} / ${fmt(dp.offset.p99, 3)}`,
        `${fmt(dp.deepVsFirstP50)} (target ≤ ${TARGETS.deepRatio})`,
        fmt(dp.offsetVsFirstP50),
        dp.sameRowsAsOffset ? 'yes' : '**no**',
      ]),
    ),
    '',
    'Page N is reached by following `nextCursor` through the Worker from page 1; its statement is the one the Worker sent. The OFFSET baseline is the ' +
      'first page\'s captured statement with `OFFSET (N-1)×size` appended (it must return the same rows: "same rows").',
    '',
    ...(main
      ? [
          details('Page N (keyset) plan', main.deepPagination.deepPlan),
          '',
          details('OFFSET plan', main.deepPagination.offsetPlan),
          '',
        ]
      : []),
  ]
}
