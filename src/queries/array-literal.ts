/**
 * A list as one Postgres array literal, bound as a single parameter (`${arrayLiteral(ids)}::uuid[]`): Neon refuses
 * more than 32,767 bind parameters per statement, and one parameter keeps the statement text the same for any
 * length. Only for values that need no quoting: numbers, booleans, ISO dates and instants, UUIDs; `null` is SQL NULL.
 */
export const arrayLiteral = (values: readonly (string | number | boolean | null)[]): string =>
  // Stryker disable next-line ConditionalExpression: equivalent, Postgres reads an unquoted `null` as NULL too
  `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`
