import type { BenchResults } from '../results'
import { table } from './format'

export function roundTripsSection(r: BenchResults): string[] {
  return [
    '## 2. Round trips per API request',
    '',
    'Requests reaching the local Neon-protocol server (`GET /stats`, its counter of `POST /sql`) per API request, one request at a time.',
    '',
    ...r.datasets.flatMap((d) => [
      `**${d.scale}**`,
      '',
      table(
        ['route', 'round trips (each request)', 'statuses', 'expected'],
        d.roundTrips.map((t) => [t.label, t.counts.join(', '), t.statuses.join(', '), t.expected]),
      ),
      '',
    ]),
  ]
}
