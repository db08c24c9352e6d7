// Postgres's out-of-band cancel: a CancelRequest on a new connection, naming the busy backend by its process id and
// secret key. This is what Neon's proxy sends when its client goes away (`cancel_token.cancel_query`). It needs no
// pooled connection, so a cancel cannot wait behind the very pool it would free.
import { connect } from 'node:net'
import type pg from 'pg'

/** What node-postgres keeps from BackendKeyData (present at runtime, missing from @types/pg). */
interface BackendKey {
  processID: number | null
  secretKey: number | null
  host: string
  port: number
}

const CANCEL_REQUEST_CODE = 80_877_102

/** Sends a CancelRequest for `client`'s running statement. Resolves once sent (the server never answers it). */
export function cancelBackend(client: pg.PoolClient): Promise<void> {
  const key = client as unknown as BackendKey
  const { processID, secretKey } = key
  if (processID === null || secretKey === null) return Promise.resolve()
  const packet = Buffer.alloc(16)
  packet.writeInt32BE(16, 0)
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4)
  packet.writeInt32BE(processID, 8)
  packet.writeInt32BE(secretKey, 12)
  // A host starting with "/" is a Unix socket directory, as in libpq.
  const socket = key.host.startsWith('/')
    ? connect(`${key.host}/.s.PGSQL.${key.port}`)
    : connect(key.port, key.host)
  return new Promise((resolve) => {
    socket.once('connect', () => socket.end(packet))
    // A cancel that cannot be delivered is not an error of the request: its connection is discarded anyway.
    socket.once('error', () => resolve())
    socket.once('close', () => resolve())
  })
}
