/**
 * `@wamp.*` JSDoc tags. TypeScript's JSDoc parser stops a tag name at the dot, so the tags are
 * read from the comment text directly, which also gives each tag an exact position.
 */
import { ts } from 'ts-morph';
import { DIAGNOSTIC } from '../diagnostics.js';
import type { SourcePos } from '../model.js';
import { ownJsDoc, type ParseContext } from './context.js';

export interface Tag {
  readonly name: string;
  readonly value: string;
  readonly pos: SourcePos;
}

/** Which tags are allowed where (anything else is a WG011 diagnostic). */
export const TAGS = {
  service: ['procedures', 'topics', 'serializers', 'invoke', 'discloseCaller', 'acknowledge', 'excludeMe'],
  procedure: ['uri', 'match', 'progressive', 'invoke', 'discloseCaller'],
  topic: ['uri', 'match', 'acknowledge', 'excludeMe'],
  decl: ['error'],
} as const;

const TAG_RE = /@wamp\.([A-Za-z_]*)[ \t]*([^\r\n@]*)/g;
const THROWS_RE = /@throws[ \t]*\{[ \t]*([^}\s]*)[ \t]*\}[ \t]*([^\r\n@]*)/g;

function scan(ctx: ParseContext, node: ts.Node, re: RegExp): { match: RegExpExecArray; pos: SourcePos }[] {
  const out: { match: RegExpExecArray; pos: SourcePos }[] = [];
  const file = node.getSourceFile();
  for (const doc of ownJsDoc(node)) {
    const text = file.text.slice(doc.pos, doc.end);
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const { line, character } = file.getLineAndCharacterOfPosition(doc.pos + m.index);
      out.push({ match: m, pos: { file: ctx.displayName(file), line: line + 1, column: character + 1 } });
    }
  }
  return out;
}

/** The `@wamp.*` tags on a node, checked against the allowed set. */
export function readTags(ctx: ParseContext, node: ts.Node, allowed: readonly string[]): Map<string, Tag> {
  const tags = new Map<string, Tag>();
  for (const { match, pos } of scan(ctx, node, TAG_RE)) {
    const name = match[1] ?? '';
    const value = (match[2] ?? '').replace(/\*\/\s*$/, '').trim();
    if (!allowed.includes(name)) {
      ctx.diagnostics.push({ code: DIAGNOSTIC.badTag, severity: 'error', ...pos, message: `unknown or misplaced tag @wamp.${name}`, hint: `allowed here: ${allowed.map((a) => `@wamp.${a}`).join(', ')}` });
      continue;
    }
    tags.set(name, { name, value, pos });
  }
  return tags;
}

/** The type names in `@throws {Name} text` tags, with the text after them and their positions. */
export function readThrows(ctx: ParseContext, node: ts.Node): { name: string; text: string; pos: SourcePos }[] {
  return scan(ctx, node, THROWS_RE).map(({ match, pos }) => ({ name: match[1] ?? '', text: (match[2] ?? '').replace(/\*\/\s*$/, '').replace(/\s*\*?\s*$/, '').trim(), pos }));
}

export function boolTag(ctx: ParseContext, tag: Tag | undefined): boolean | undefined {
  if (tag === undefined) return undefined;
  if (tag.value === '' || tag.value === 'true') return true;
  if (tag.value === 'false') return false;
  ctx.diagnostics.push({ code: DIAGNOSTIC.badTag, severity: 'error', ...tag.pos, message: `@wamp.${tag.name} takes true or false, not "${tag.value}"`, hint: `write @wamp.${tag.name} or @wamp.${tag.name} false` });
  return undefined;
}

export function choiceTag<T extends string>(ctx: ParseContext, tag: Tag | undefined, choices: readonly T[]): T | undefined {
  if (tag === undefined) return undefined;
  const found = choices.find((c) => c === tag.value);
  if (found === undefined) {
    ctx.diagnostics.push({ code: DIAGNOSTIC.badTag, severity: 'error', ...tag.pos, message: `@wamp.${tag.name} "${tag.value}" is not one of ${choices.join(', ')}`, hint: `write e.g. @wamp.${tag.name} ${choices[0] ?? ''}` });
  }
  return found;
}
