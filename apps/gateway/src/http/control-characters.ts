import { DomainError } from '@dockyard/contracts';

/* eslint-disable no-control-regex -- finding control characters is the point here */
/** C0 controls and DEL: nothing the hub stores or compares may hold them (PostgreSQL text refuses NUL). */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The same, but tab and line breaks pass: free text (descriptions) is written by people. */
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/* eslint-enable no-control-regex */

export function hasControlCharacter(text: string, allowLineBreaks = false): boolean {
  return (allowLineBreaks ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL).test(text);
}

/** Throws the hub's 400 when `text` holds a control character; `where` names the input for the client. */
export function refuseControlCharacters(text: string, where: string, allowLineBreaks = false): void {
  if (hasControlCharacter(text, allowLineBreaks)) throw new DomainError('invalid', `${where} contains a control character`);
}

/** Request bodies are small JSON, but not necessarily shallow; deeper than this is not a hub request. */
export const MAX_JSON_DEPTH = 32;

/**
 * Walks a parsed JSON body (iteratively: a deeply nested body must not exhaust the stack) and refuses
 * control characters in every key and string. Fields named in `freeText` may keep \t, \n and \r.
 */
export function refuseControlCharactersInJson(body: unknown, freeText: ReadonlySet<string>): void {
  const pending: { value: unknown; key: string | undefined; depth: number }[] = [{ value: body, key: undefined, depth: 0 }];
  while (pending.length > 0) {
    const { value, key, depth } = pending.pop()!;
    if (typeof value === 'string') {
      refuseControlCharacters(value, key === undefined ? 'The body' : `Field ${JSON.stringify(key.slice(0, 64))}`, key !== undefined && freeText.has(key));
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_JSON_DEPTH) throw new DomainError('invalid', 'The body is nested too deeply');
      if (Array.isArray(value)) {
        for (const item of value) pending.push({ value: item, key, depth: depth + 1 });
      } else {
        for (const [name, item] of Object.entries(value)) {
          refuseControlCharacters(name, 'A field name');
          pending.push({ value: item, key: name, depth: depth + 1 });
        }
      }
    }
  }
}
