import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

// As a script (`tsx tools/free-port.ts`), for shell scripts such as .ci/run: prints one.
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await freePort())
