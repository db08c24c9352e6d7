/**
 * Request budgets, enforced with the Workers rate-limiting binding and keyed by the verified caller: they run after
 * authentication, so a forged token is refused before it can spend anyone's budget.
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { logLine } from '../lib/log'
import { ProblemError } from '../problems/problem-error'
import type { AnalyticsStaffEnv, EndUserEnv } from './auth'

async function spendBudget(
  c: Context,
  limiter: RateLimit | undefined,
  key: string,
  who: string,
): Promise<void> {
  if (!limiter) return
  const outcome = await limiter.limit({ key }).catch((error: unknown) => {
    // A limiter that fails must not fail the API: the request goes through, and the log says why.
    logLine('warn', 'rate limiter failed', { requestId: c.get('requestId'), error: String(error) })
    return { success: true }
  })
  if (!outcome.success) {
    throw new ProblemError(
      'rate-limited',
      `This ${who} has sent too many requests; retry after the seconds in Retry-After`,
    )
  }
}

/** The client surface: one budget per user. */
export const limitPerUser = createMiddleware<EndUserEnv>(async (c, next) => {
  await spendBudget(c, c.env.CLIENT_RATE_LIMITER, `user:${c.get('userId')}`, 'user')
  await next()
})

/** The business surface: one budget per company, shared by its staff. */
export const limitPerCompany = createMiddleware<AnalyticsStaffEnv>(async (c, next) => {
  await spendBudget(c, c.env.BUSINESS_RATE_LIMITER, `company:${c.get('companyId')}`, 'company')
  await next()
})
