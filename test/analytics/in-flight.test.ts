/**
 * Coalescing on its own: identical requests in flight share one run, a settled run (success or failure) is never
 * shared again, and a run presumed lost after 30 s is replaced without its late end disturbing its replacement.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Snapshot, shareInFlight } from '../../src/analytics/in-flight'

const snapshotOf = (text: string): Snapshot => ({
  status: 200,
  headers: {},
  body: new TextEncoder().encode(text).buffer as ArrayBuffer,
})
const textOf = (snapshot: Snapshot) => new TextDecoder().decode(snapshot.body)

/** A run that ends when told to. */
function controlledRun() {
  let settle: (value: Snapshot) => void = () => undefined
  let fail: (error: Error) => void = () => undefined
  const run = vi.fn(
    () =>
      new Promise<Snapshot>((resolve, reject) => {
        settle = resolve
        fail = reject
      }),
  )
  // A run starts on the next microtask: wait for it before ending it.
  const started = () => new Promise((resolve) => setTimeout(resolve, 0))
  return {
    run,
    settle: async (text: string) => {
      await started()
      settle(snapshotOf(text))
    },
    fail: async (error: Error) => {
      await started()
      fail(error)
    },
  }
}

describe('shareInFlight', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.parse('2026-06-01T12:00:00Z'))
  })
  afterEach(() => vi.useRealTimers())

  it('gives identical requests in flight one run, and starts afresh once it settled', async () => {
    const key = crypto.randomUUID()
    const first = controlledRun()
    const a = shareInFlight(key, first.run)
    const b = shareInFlight(key, first.run)
    expect([a.started, b.started]).toEqual([true, false])
    expect(b.snapshot).toBe(a.snapshot)
    await first.settle('one')
    expect(textOf(await b.snapshot)).toBe('one')
    expect(first.run).toHaveBeenCalledTimes(1)
    const later = shareInFlight(key, async () => snapshotOf('two'))
    expect(later.started).toBe(true)
    expect(textOf(await later.snapshot)).toBe('two')
  })

  it('hands a failure only to the requests already waiting; the next request runs again', async () => {
    const key = crypto.randomUUID()
    const failing = controlledRun()
    const a = shareInFlight(key, failing.run)
    const b = shareInFlight(key, failing.run)
    await failing.fail(new Error('database down'))
    await expect(a.snapshot).rejects.toThrow('database down')
    await expect(b.snapshot).rejects.toThrow('database down')
    const retry = shareInFlight(key, async () => snapshotOf('back'))
    expect(retry.started).toBe(true)
    expect(textOf(await retry.snapshot)).toBe('back')
  })

  it('keys runs apart: another key never joins', () => {
    const run = controlledRun()
    expect(shareInFlight(crypto.randomUUID(), run.run).started).toBe(true)
    expect(shareInFlight(crypto.randomUUID(), run.run).started).toBe(true)
  })

  it('joins a run up to 30 s old and replaces it at 30 s; the lost run ending late leaves its replacement shared', async () => {
    const key = crypto.randomUUID()
    const lost = controlledRun()
    const original = shareInFlight(key, lost.run)
    vi.setSystemTime(Date.now() + 29_999)
    expect(shareInFlight(key, lost.run).started).toBe(false)
    vi.setSystemTime(Date.now() + 1)
    const replacement = controlledRun()
    const replaced = shareInFlight(key, replacement.run)
    expect(replaced.started).toBe(true)
    // The lost run ends now: its waiters get its answer, and the replacement is still the one in flight.
    await lost.settle('late')
    expect(textOf(await original.snapshot)).toBe('late')
    expect(shareInFlight(key, replacement.run)).toEqual({ snapshot: replaced.snapshot, started: false })
    await replacement.settle('fresh')
    expect(textOf(await replaced.snapshot)).toBe('fresh')
  })

  it('lets a lost run end after its replacement did, its waiters still getting its answer', async () => {
    const key = crypto.randomUUID()
    const lost = controlledRun()
    const original = shareInFlight(key, lost.run)
    vi.setSystemTime(Date.now() + 30_000)
    const replaced = shareInFlight(key, async () => snapshotOf('fresh'))
    expect(textOf(await replaced.snapshot)).toBe('fresh')
    await lost.settle('late')
    expect(textOf(await original.snapshot)).toBe('late')
  })
})
