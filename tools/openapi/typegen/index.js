// Resolved from this folder, so openapi-typescript finds the TypeScript 5 installed beside it.
export { astToString, COMMENT_HEADER, default } from 'openapi-typescript'
