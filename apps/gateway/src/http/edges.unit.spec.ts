import { hasControlCharacter, refuseControlCharactersInJson } from './control-characters';
import { isHostAndPort } from './host-header';
import { pageNumber } from './paging';

const FREE_TEXT = new Set(['description']);
const invalid = expect.objectContaining({ code: 'invalid' });

describe('control characters', () => {
  it('finds every C0 control and DEL; tab and line breaks pass only in free text', () => {
    for (let code = 0; code < 0x20; code++) expect(hasControlCharacter(`a${String.fromCharCode(code)}b`)).toBe(true);
    expect(hasControlCharacter('a\u007fb')).toBe(true);
    expect(hasControlCharacter('plain ascii, ünïcödé ✓')).toBe(false);
    expect(hasControlCharacter('two\nlines\r\n\tindented', true)).toBe(false);
    expect(hasControlCharacter('nul\u0000', true)).toBe(true);
    expect(hasControlCharacter('bell\u0007', true)).toBe(true);
  });

  it('walks every key and string of a JSON body', () => {
    expect(() => refuseControlCharactersInJson({ username: 'a\u0000' }, FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson([{ id: 'x' }, { id: 'y\u001b' }], FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson({ 'na\u0000me': 'x' }, FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson('image\u0000id', FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson({ description: 'a\n\tb\r\n' }, FREE_TEXT)).not.toThrow();
    expect(() => refuseControlCharactersInJson({ description: 'a\u0000' }, FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson({ logo: 'a\nb' }, FREE_TEXT)).toThrow(invalid);
    expect(() => refuseControlCharactersInJson({ n: 1, b: true, z: null }, FREE_TEXT)).not.toThrow();
    expect(() => refuseControlCharactersInJson(undefined, FREE_TEXT)).not.toThrow();
  });

  it('refuses a body nested too deeply instead of exhausting the stack', () => {
    const deep = JSON.parse('['.repeat(100000) + ']'.repeat(100000));
    expect(() => refuseControlCharactersInJson(deep, FREE_TEXT)).toThrow(invalid);
  });
});

describe('pageNumber', () => {
  it('reads positive integers within the bound, the fallback when absent', () => {
    expect(pageNumber(undefined, 'page', 1, 100)).toBe(1);
    expect(pageNumber('7', 'page', 1, 100)).toBe(7);
  });
  it.each(['0', '-1', '1.5', '1e3', '0x10', ' 1', 'abc', '', '99999999999999999999', '101'])('refuses %j with a 400', (value) => {
    expect(() => pageNumber(value, 'page', 1, 100)).toThrow(invalid);
  });
  it('refuses repeated parameters', () => {
    expect(() => pageNumber(['1', '2'], 'page', 1, 100)).toThrow(invalid);
  });
});

describe('isHostAndPort', () => {
  it.each(['localhost', 'localhost:5000', 'hub.example.com', '127.0.0.1:80', '[::1]:5000', 'my_host'])('accepts %s', (host) => {
    expect(isHostAndPort(host)).toBe(true);
  });
  it.each([
    'evil.example/path?x',
    'a.example, b.example',
    'a.example,b.example',
    'user@evil.example',
    'user:pw@evil.example',
    'http://evil.example',
    'evil.example:99999',
    'evil.example:',
    'evil\u0000.example',
    'evil .example',
    '',
  ])('refuses %j', (host) => {
    expect(isHostAndPort(host)).toBe(false);
  });
});
