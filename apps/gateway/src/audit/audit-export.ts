import { Readable } from 'node:stream';
import { AuditEntry } from '@dockyard/contracts';

/** The export's CSV columns: every field of an entry, `data` as its JSON. */
export const AUDIT_CSV_COLUMNS: (keyof AuditEntry)[] = [
  'cursor',
  'time',
  'type',
  'actor',
  'source_ip',
  'user_agent',
  'request_id',
  'repository_id',
  'service',
  'stream',
  'version',
  'data',
  'hash',
  'prev_hash',
];

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; null is empty. */
const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvRow = (entry: AuditEntry): string => `${AUDIT_CSV_COLUMNS.map((column) => csvField(entry[column])).join(',')}\r\n`;

/** The export formats of `GET /v1/audit/events`, by the request's Accept header (null: a JSON page). */
export type AuditExportFormat = 'ndjson' | 'csv';

export function exportFormatOf(accept: string | undefined): AuditExportFormat | null {
  const value = (accept ?? '').toLowerCase();
  if (value.includes('application/x-ndjson')) return 'ndjson';
  if (value.includes('text/csv')) return 'csv';
  return null;
}

/**
 * The entries as a byte stream in `format`: pulled from `entries` only as fast as the client reads
 * (a Readable over an async generator), so the export holds one page at a time whatever its size.
 */
export function exportStream(entries: AsyncIterable<AuditEntry>, format: AuditExportFormat): Readable {
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
    for await (const entry of entries) yield format === 'csv' ? csvRow(entry) : `${JSON.stringify(entry)}\n`;
  }
  return Readable.from(lines(), { objectMode: false });
}
