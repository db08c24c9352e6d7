// Typed JSON values for requests without `Neon-Raw-Text-Output: true` (the driver always sends it,
// so this only matters for hand-written clients). Mirrors the proxy's pg_text_to_json: booleans,
// int2/int4, floats and json(b) become JSON values, arrays of those become JSON arrays, everything
// else (int8, numeric, timestamps...) stays a string.

const BOOL = 16
const INT2 = 21
const INT4 = 23
const FLOAT4 = 700
const FLOAT8 = 701
const JSON_OID = 114
const JSONB = 3802

/** Array type OID -> element type OID, for the element types converted above. */
const ARRAY_ELEMENT: Record<number, number> = {
  1000: BOOL,
  1005: INT2,
  1007: INT4,
  1021: FLOAT4,
  1022: FLOAT8,
  199: JSON_OID,
  3807: JSONB,
  1009: 25, // text[]
  1015: 1043, // varchar[]
  1016: 20, // int8[]
  1231: 1700, // numeric[]
  2951: 2950, // uuid[]
  1185: 1184, // timestamptz[]
}

function scalar(text: string, oid: number): unknown {
  switch (oid) {
    case BOOL:
      return text === 't'
    case INT2:
    case INT4:
      return Number.parseInt(text, 10)
    case FLOAT4:
    case FLOAT8: {
      const n = Number(text)
      return Number.isFinite(n) ? n : text
    }
    case JSON_OID:
    case JSONB:
      return JSON.parse(text)
    default:
      return text
  }
}

export function textToJson(text: string | null, oid: number): unknown {
  if (text === null) return null
  const element = ARRAY_ELEMENT[oid]
  if (element !== undefined) return parseArray(text, (s) => scalar(s, element))
  return scalar(text, oid)
}

/** Parses a Postgres array literal (`{1,NULL,"a\"b",{2,3}}`), ignoring any `[lo:hi]=` bounds. */
function parseArray(text: string, convert: (s: string) => unknown): unknown[] {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0
  const parseLevel = (): unknown[] => {
    const out: unknown[] = []
    i++ // skip '{'
    while (i < text.length && text[i] !== '}') {
      if (text[i] === '{') {
        out.push(parseLevel())
      } else if (text[i] === '"') {
        let s = ''
        i++
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++
          s += text[i] ?? ''
          i++
        }
        i++ // closing quote
        out.push(convert(s))
      } else {
        const start = i
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++
        const raw = text.slice(start, i)
        out.push(raw === 'NULL' ? null : convert(raw))
      }
      if (text[i] === ',') i++
    }
    i++ // skip '}'
    return out
  }
  return parseLevel()
}
