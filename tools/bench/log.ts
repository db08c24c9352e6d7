export const log = (line: string) => console.log(`[bench] ${line}`)
