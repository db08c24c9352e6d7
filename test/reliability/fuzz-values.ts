/**
 * Values the fuzz test's request generators put in paths, query strings, bodies and headers: strings that break
 * parsers (odd numbers, encodings, injections, near-miss UUIDs and dates) and ISO dates in their several spellings.
 */
import fc from 'fast-check'

const ODD_STRINGS = [
  '',
  ' ',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e309',
  '-1e309',
  '9'.repeat(40),
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '%00',
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\uD800',
  '😀'.repeat(3),
  'é',
  'Ω≈ç√',
  '../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '$' + '{jndi:ldap://x}',
  'slot_based',
  'SLOT_BASED ',
  '2026-02-30',
  '2026-13-01',
  '0000-01-01',
  '99999-01-01',
  '2026-01-01T25:00:00Z',
  '2026-01-01T00:00:00',
  '1969-12-31',
  'abc.def',
  'a.b.c',
  '..',
  '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6',
  '0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6ef',
  '0b7e7c6a4a574f8e9d7e1c2a3b4c5d6e',
  '{0b7e7c6a-4a57-4f8e-9d7e-1c2a3b4c5d6e}',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
]

export const malformedString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).map(String),
  },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 9_000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.uuid().map((id) => `${id},`) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 200 }).map((b) => `${b}.${b}`) },
)

export const iso = fc
  .date({ min: new Date('1960-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((date) =>
    fc.constantFrom(
      date.toISOString(),
      date.toISOString().slice(0, 10),
      date.toISOString().replace('Z', '+02:00'),
      date.toISOString().replace('.000Z', 'Z'),
    ),
  )
