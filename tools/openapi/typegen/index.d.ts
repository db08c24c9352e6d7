export { astToString, COMMENT_HEADER, default } from 'openapi-typescript'
