/** Markdown helpers and the targets every section measures against. */
import type { LoadResult } from '../load'
import type { BenchResults, DatasetResult, E2eResult, RoutePlan } from '../results'

export const TARGETS = {
  scaleRatio: 1.5,
  deepRatio: 1.2,
  analyticsP99Ms: 100,
  bundleGzipKiB: 150,
  statusCountsRatio: 1.2,
}

/** The business routes (analytics), judged by their own target rather than the 10M/100k ratio. */
export const BUSINESS = ['analytics', 'analyticsCsv', 'timeseries']

export type Row = (string | number)[]

/**
 * Whether the run measured the favourite counts of drizzle/0004_favorite_counts.sql (results saved before it were
 * measured on the sharded day rollups of 0002/0003, and have no `schema`): the report describes the design it
 * measured, not the current one.
 */
export const measuredFavoriteCounts = (r: BenchResults) => r.schema !== undefined && r.schema >= '0004'
/** Whether the results were measured with the month and year counts (migration 0008) and the read paths of 0007. */
export const measuredCalendarCounts = (r: BenchResults) => r.schema !== undefined && r.schema >= '0008'

export const fmt = (v: number | undefined, digits = 2) =>
  v === undefined || Number.isNaN(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(digits)

export const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**')

export const count = (n: number) => n.toLocaleString('en-US')

export function table(header: string[], rows: Row[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n\`\`\`\n${body}\n\`\`\`\n\n</details>`
}

export const isLargestCompany = (p: RoutePlan) => p.subject.startsWith('the largest')

/** A route's plan figures for random subjects or for the largest company. */
export const planOf = (d: DatasetResult | undefined, route: string, subject: 'random' | 'largest') =>
  d?.plans.find((p) => p.route === route && isLargestCompany(p) === (subject === 'largest'))

/** An end-to-end target's run at one concurrency. */
export const runAt = (e2e: E2eResult[], key: string, connections: number): LoadResult | undefined =>
  e2e.find((e) => e.route === key)?.runs.find((run) => run.connections === connections)
