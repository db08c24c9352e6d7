// The connection string the conformance tests send, in a module of its own so that global-setup.ts (which runs
// in vitest's main process) can read it without importing the test helpers.

/** A Neon-shaped string: a password and a domain host. On PostgreSQL the tests run as its role (`app`). */
export const CONNECTION_STRING = 'postgresql://app:app@db.localtest.me/app'
