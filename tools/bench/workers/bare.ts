/** The harness's ceiling: a Hono Worker that does nothing but answer, measured beside the API's routes. */
import { Hono } from 'hono'

export default new Hono().get('/', (c) => c.text('ok'))
