/** EXPLAIN (ANALYZE, BUFFERS) of captured statements, run directly on PostgreSQL, and what their plans say. */
import type pg from 'pg'
import type { SqlQuery } from '../neon-local/backend'
import type { CapturedRequest } from './capture-proxy'

export interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Shared Hit Blocks'?: number
  'Shared Read Blocks'?: number
  'Actual Total Time'?: number
  'Actual Loops'?: number
  Strategy?: string
  Plans?: PlanNode[]
}

interface ExplainJson {
  Plan: PlanNode
  'Planning Time': number
  'Execution Time': number
}

export interface PlanSample {
  executionMs: number
  planningMs: number
  /** A sequential scan of activities.user_activity_favorites anywhere in the plan. */
  seqScanFavorites: boolean
  /** Shared buffers hit + read by the whole statement. */
  buffers: number
  /** Scan nodes, e.g. `Index Only Scan using user_activity_favorites_user_id_created_at_idx`. */
  scans: string[]
  /** The plan's root node and its time, e.g. `Limit (12.3 ms)`. */
  topNode: string
  /**
   * The node with the most time of its own (its time less its children's, loops included; approximate for CTEs
   * and parallel workers), e.g. `Index Scan using activity_favorite_day_counts_pk (8.1 ms self)`.
   */
  heaviestNode: string
}

const FAVORITES_TABLE = 'user_activity_favorites'

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node)
  for (const child of node.Plans ?? []) walk(child, visit)
}

function describeScan(node: PlanNode): string | undefined {
  if (!node['Node Type'].includes('Scan')) return undefined
  const target = node['Index Name'] ?? node['Relation Name']
  if (!target) return node['Node Type']
  return `${node['Node Type']} ${node['Index Name'] ? 'using' : 'on'} ${target}`
}

/** A node as the report names it: its type (an aggregate's strategy), and the index or relation it reads. */
function describeNode(node: PlanNode): string {
  const type =
    node.Strategy && node['Node Type'] === 'Aggregate' ? `${node.Strategy}Aggregate` : node['Node Type']
  if (node['Index Name']) return `${type} using ${node['Index Name']}`
  return node['Relation Name'] ? `${type} on ${node['Relation Name']}` : type
}

const nodeMs = (node: PlanNode) => (node['Actual Total Time'] ?? 0) * (node['Actual Loops'] ?? 1)

/** The root node, and the node with the most time of its own. */
function timedNodes(root: PlanNode): { topNode: string; heaviestNode: string } {
  let heaviest = { node: root, selfMs: -1 }
  walk(root, (node) => {
    const selfMs = Math.max(0, nodeMs(node) - (node.Plans ?? []).reduce((a, child) => a + nodeMs(child), 0))
    if (selfMs > heaviest.selfMs) heaviest = { node, selfMs }
  })
  return {
    topNode: `${describeNode(root)} (${nodeMs(root).toFixed(1)} ms)`,
    heaviestNode: `${describeNode(heaviest.node)} (${heaviest.selfMs.toFixed(1)} ms self)`,
  }
}

async function inTransaction<T>(client: pg.Client, write: boolean, run: () => Promise<T>): Promise<T> {
  if (!write) return run()
  await client.query('BEGIN')
  try {
    return await run()
  } finally {
    await client.query('ROLLBACK')
  }
}

export async function explainQuery(client: pg.Client, q: SqlQuery, write: boolean): Promise<PlanSample> {
  return inTransaction(client, write, async () => {
    const result = await client.query<{ 'QUERY PLAN': ExplainJson[] }>({
      text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.query}`,
      values: q.params,
    })
    const explained = result.rows[0]?.['QUERY PLAN'][0]
    if (!explained) throw new Error('EXPLAIN returned nothing')
    let seqScanFavorites = false
    const scans = new Set<string>()
    walk(explained.Plan, (node) => {
      if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === FAVORITES_TABLE)
        seqScanFavorites = true
      const scan = describeScan(node)
      if (scan) scans.add(scan)
    })
    return {
      executionMs: explained['Execution Time'],
      planningMs: explained['Planning Time'],
      seqScanFavorites,
      buffers: (explained.Plan['Shared Hit Blocks'] ?? 0) + (explained.Plan['Shared Read Blocks'] ?? 0),
      scans: [...scans].sort(),
      ...timedNodes(explained.Plan),
    }
  })
}

/** Timed executions per statement; the median is kept (after one untimed warm-up run). */
export const TIMED_RUNS = 3

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN

/**
 * One captured API request: every statement it sent, explained; times add up. Each statement runs once to warm the
 * caches, then TIMED_RUNS times; its median execution time counts, so one sample is not a scheduler hiccup of a
 * shared machine but the statement's cost for that user or company.
 */
export async function explainCaptured(
  client: pg.Client,
  request: CapturedRequest,
  write: boolean,
): Promise<PlanSample> {
  const samples: PlanSample[] = []
  for (const q of request.queries) {
    await explainQuery(client, q, write)
    const runs: PlanSample[] = []
    for (let k = 0; k < TIMED_RUNS; k++) runs.push(await explainQuery(client, q, write))
    const last = runs.at(-1) as PlanSample
    samples.push({
      ...last,
      executionMs: median(runs.map((r) => r.executionMs)),
      planningMs: median(runs.map((r) => r.planningMs)),
    })
  }
  if (samples.length === 0) throw new Error('a captured request without statements')
  return {
    executionMs: samples.reduce((a, s) => a + s.executionMs, 0),
    planningMs: samples.reduce((a, s) => a + s.planningMs, 0),
    seqScanFavorites: samples.some((s) => s.seqScanFavorites),
    buffers: samples.reduce((a, s) => a + s.buffers, 0),
    scans: [...new Set(samples.flatMap((s) => s.scans))].sort(),
    // The nodes of the request's slowest statement.
    ...nodesOf(samples.reduce((a, s) => (s.executionMs > a.executionMs ? s : a))),
  }
}

const nodesOf = (s: PlanSample) => ({ topNode: s.topNode, heaviestNode: s.heaviestNode })

/** The plan as PostgreSQL prints it (text format), for the report. */
export async function explainText(client: pg.Client, q: SqlQuery, write: boolean): Promise<string> {
  return inTransaction(client, write, async () => {
    const result = await client.query<{ 'QUERY PLAN': string }>({
      text: `EXPLAIN (ANALYZE, BUFFERS) ${q.query}`,
      values: q.params,
    })
    return result.rows.map((r) => r['QUERY PLAN']).join('\n')
  })
}

/** Runs the statement itself (no EXPLAIN) and returns its rows as arrays, to compare two queries' answers. */
export async function runQuery(client: pg.Client, q: SqlQuery): Promise<unknown[][]> {
  const result = await client.query<unknown[]>({ text: q.query, values: q.params, rowMode: 'array' })
  return result.rows
}
