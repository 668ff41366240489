import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const open = (name: string) => `<!-- bench:${name} -->`;
const close = (name: string) => `<!-- /bench:${name} -->`;

/**
 * Rewrites the sections of `path` that this run measured, each between its markers
 * (`<!-- bench:<name> -->` … `<!-- /bench:<name> -->`), and keeps every other line as it was, so
 * `npm run bench -- pull` leaves the figures of the benches it did not run in place. A section the
 * file does not have yet is added at its end.
 */
export function writeSections(path: string, sections: Map<string, string>): void {
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : '';
  for (const [name, text] of sections) {
    const block = `${open(name)}\n${text.trim()}\n${close(name)}`;
    const start = doc.indexOf(open(name));
    const end = doc.indexOf(close(name));
    if (start >= 0 && end > start) doc = doc.slice(0, start) + block + doc.slice(end + close(name).length);
    else doc = `${doc.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(path, doc);
}
