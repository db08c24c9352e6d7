import { OpenAPIHono } from '@hono/zod-openapi'
import { validationHook } from '../problems/handlers'
import type { App, AppEnv } from './types'

/** Every router shares the validation hook, so every invalid request answers the same problem+json. */
export const createApp = (): App => new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
