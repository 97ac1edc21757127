// A strict JSON reader for request bodies, linear in the text: refuses duplicate member names
// (JSON.parse silently keeps the last), nesting past a depth limit (no recursion, so no stack to
// blow) and anything RFC 8259 does not allow; `__proto__` stays an ordinary member. It pauses every
// SLICE_CHARS characters so a 1 MiB body never holds the event loop in one piece.

/** Why a body was refused: the kind, words for the operator, and where (RFC 6901 pointer). */
export type JsonReadError =
  | { kind: 'syntax'; reason: string; pointer: string }
  | { kind: 'depth'; depth: number; pointer: string }
  | { kind: 'duplicate'; member: string; pointer: string };

/** The value read, or the first reason to refuse the text. */
export type JsonReadResult = { ok: true; value: unknown } | { ok: false; error: JsonReadError };

/** Characters read between two pauses of `readJsonAsync` (well under a millisecond of work each). */
export const SLICE_CHARS = 8 * 1024;

type Container =
  { kind: 'object'; obj: Record<string, unknown>; key?: string } | { kind: 'array'; arr: unknown[] };

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Refusal {
  constructor(readonly error: JsonReadError) {}
}

/** The reader's state machine; `run()` is a generator that yields at slice boundaries. */
class Reader {
  private i = 0;
  private readonly stack: Container[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  *run(): Generator<void, JsonReadResult> {
    try {
      let nextPause = SLICE_CHARS;
      this.skipSpace();
      let value = this.startValue();
      for (;;) {
        if (this.i >= nextPause) {
          nextPause = this.i + SLICE_CHARS;
          yield;
        }
        const top = this.stack[this.stack.length - 1];
        if (value !== OPEN) {
          if (!top) break;
          this.store(top, value);
          this.skipSpace();
          const c = this.text[this.i];
          if (c === ',') {
            this.i++;
            this.skipSpace();
            if (top.kind === 'object') this.readKey(top);
            value = this.startValue();
            continue;
          }
          if ((top.kind === 'object' && c === '}') || (top.kind === 'array' && c === ']')) {
            this.i++;
            this.stack.pop();
            value = top.kind === 'object' ? top.obj : top.arr;
            continue;
          }
          this.fail(`expected "," or "${top.kind === 'object' ? '}' : ']'}"`);
        }
        // A container was just opened: it may be empty.
        const open = top as Container;
        this.skipSpace();
        const c = this.text[this.i];
        if ((open.kind === 'object' && c === '}') || (open.kind === 'array' && c === ']')) {
          this.i++;
          this.stack.pop();
          value = open.kind === 'object' ? open.obj : open.arr;
          continue;
        }
        if (open.kind === 'object') this.readKey(open);
        value = this.startValue();
      }
      this.skipSpace();
      if (this.i < this.text.length) this.fail('unexpected text after the value');
      return { ok: true, value };
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, error: e.error };
      throw e;
    }
  }

  /** Reads a scalar, or opens a container (returns OPEN). */
  private startValue(): unknown {
    this.skipSpace();
    const c = this.text[this.i];
    if (c === '{' || c === '[') {
      if (this.stack.length >= this.maxDepth)
        throw new Refusal({ kind: 'depth', depth: this.maxDepth, pointer: this.pointer() });
      this.i++;
      this.stack.push(c === '{' ? { kind: 'object', obj: {} } : { kind: 'array', arr: [] });
      return OPEN;
    }
    if (c === '"') return this.readString();
    if (c === 't' && this.text.startsWith('true', this.i)) return this.literal(4, true);
    if (c === 'f' && this.text.startsWith('false', this.i)) return this.literal(5, false);
    if (c === 'n' && this.text.startsWith('null', this.i)) return this.literal(4, null);
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (m && m[0] !== '') {
      this.i += m[0].length;
      return Number(m[0]);
    }
    return this.fail(c === undefined ? 'unexpected end of the body' : 'expected a value');
  }

  private literal(len: number, value: boolean | null): boolean | null {
    this.i += len;
    return value;
  }

  /** Reads `"name"` and `:`; refuses a name the object already has. */
  private readKey(top: Container & { kind: 'object' }): void {
    if (this.text[this.i] !== '"') this.fail('expected a member name');
    const key = this.readString();
    if (Object.prototype.hasOwnProperty.call(top.obj, key))
      throw new Refusal({ kind: 'duplicate', member: key, pointer: this.pointer() });
    this.skipSpace();
    if (this.text[this.i] !== ':') this.fail('expected ":"');
    this.i++;
    top.key = key;
  }

  private store(top: Container, value: unknown): void {
    if (top.kind === 'array') {
      top.arr.push(value);
      return;
    }
    // Defined, not assigned: `__proto__` must become a member, not the object's prototype.
    Object.defineProperty(top.obj, top.key as string, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }

  private readString(): string {
    const text = this.text;
    let i = this.i + 1;
    let out = '';
    let from = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) {
        this.i = i;
        this.fail('control character in a string');
      }
      if (c === 0x5c) {
        out += text.slice(from, i);
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.i = i;
            this.fail('invalid \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else {
          this.i = i;
          this.fail('invalid escape');
        }
        from = i;
        continue;
      }
      i++;
    }
    out += text.slice(from, i);
    this.i = i + 1;
    return out;
  }

  private skipSpace(): void {
    const text = this.text;
    let i = this.i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }

  private fail(reason: string): never {
    throw new Refusal({
      kind: 'syntax',
      reason: `${reason} at character ${this.i}`,
      pointer: this.pointer(),
    });
  }

  /** RFC 6901 pointer of the innermost open container. */
  private pointer(): string {
    let p = '';
    for (let d = 0; d < this.stack.length; d++) {
      const parent = this.stack[d - 1];
      if (!parent) continue;
      const seg = parent.kind === 'array' ? String(parent.arr.length) : (parent.key ?? '');
      p += '/' + seg.replace(/~/g, '~0').replace(/\//g, '~1');
    }
    return p === '' ? '/' : p;
  }
}

/** Marks "a container was opened, its members come next". */
const OPEN = Symbol('open');

/** Reads `text` in one go (tests, small bodies). Never throws. */
export function readJson(text: string, maxDepth: number): JsonReadResult {
  const gen = new Reader(text, maxDepth).run();
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
  }
}

/** Reads `text`, handing the event loop back between slices of SLICE_CHARS characters. Never rejects. */
export async function readJsonAsync(text: string, maxDepth: number): Promise<JsonReadResult> {
  const gen = new Reader(text, maxDepth).run();
  for (;;) {
    const step = gen.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
