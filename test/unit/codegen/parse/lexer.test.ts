// The YANG lexer: token kinds and positions, the three string forms with RFC 7950 §6.1.3 escapes and
// trimming, comments, and located errors for unterminated or malformed input.

import { type Token, tokenizeYang } from 'yang-ts-codegen';

/** Renders tokens compactly: `line:col kind text` (quoted strings in JSON form). */
function show(tokens: Token[]): string[] {
  return tokens.map(
    (t) =>
      `${t.loc.line}:${t.loc.col} ${t.kind === 'string' ? (t.quoted ? JSON.stringify(t.text) : t.text) : t.text}`,
  );
}

describe('tokenizeYang tokens', () => {
  // Each row: a source text and the tokens it must produce, with positions.
  it.each([
    {
      name: 'punctuation and unquoted strings',
      inText: 'leaf x {\n  type string;\n}',
      want: ['1:1 leaf', '1:6 x', '1:8 {', '2:3 type', '2:8 string', '2:14 ;', '3:1 }'],
    },
    {
      name: 'unquoted strings stop at ; { } and comments',
      inText: 'a;b{c}d//e\nf/*g*/h',
      want: ['1:1 a', '1:2 ;', '1:3 b', '1:4 {', '1:5 c', '1:6 }', '1:7 d', '2:1 f', '2:7 h'],
    },
    {
      name: 'unquoted strings may hold colons, dots, slashes and plus signs',
      inText: 'polycube-base:cli-example 10.0.0.1/24 +;',
      want: ['1:1 polycube-base:cli-example', '1:27 10.0.0.1/24', '1:39 +', '1:40 ;'],
    },
    {
      name: 'comments are skipped and positions continue after them',
      inText: '// line comment\n/* block\n comment */ leaf /* inline */ y;',
      want: ['3:13 leaf', '3:31 y', '3:32 ;'],
    },
    {
      name: 'single-quoted strings keep backslashes and line breaks as written',
      inText: "pattern '[0-9]+\\.\\d'; x 'a\n   b';",
      want: ['1:1 pattern', '1:9 "[0-9]+\\\\.\\\\d"', '1:21 ;', '1:23 x', '1:25 "a\\n   b"', '2:6 ;'],
    },
    {
      name: 'double-quoted escapes \\n \\t \\" \\\\',
      inText: 'd "a\\nb\\tc\\"d\\\\e";',
      want: ['1:1 d', '1:3 "a\\nb\\tc\\"d\\\\e"', '1:18 ;'],
    },
    {
      name: 'a CRLF file has the same tokens and lines as an LF file',
      inText: 'a "x\r\n  y";\r\nb;',
      want: ['1:1 a', '1:3 "x\\ny"', '2:5 ;', '3:1 b', '3:2 ;'],
    },
    {
      name: 'a byte-order mark is skipped',
      inText: '\uFEFFmodule',
      want: ['1:1 module'],
    },
  ])('$name', ({ inText, want }) => {
    const r = tokenizeYang(inText, 'f.yang');
    expect(r.errors).toEqual([]);
    expect(show(r.tokens)).toEqual(want);
  });

  // Every token carries the file name given to the lexer.
  it('puts the file name in every location', () => {
    const r = tokenizeYang('a b;', 'dir/m.yang');
    expect(r.tokens.map((t) => t.loc.file)).toEqual(['dir/m.yang', 'dir/m.yang', 'dir/m.yang']);
  });
});

describe('tokenizeYang multi-line double-quoted strings', () => {
  // RFC 7950 §6.1.3: indentation up to and including the opening quote's column is stripped, whitespace
  // before a line break is stripped, tabs in stripped indentation count as 8 spaces.
  it.each([
    {
      name: 'indentation up to the quote column is stripped',
      inText: 'description "first\n             second";',
      want: 'first\nsecond',
    },
    {
      name: 'indentation beyond the quote column is kept',
      inText: 'description "first\n                 second";',
      want: 'first\n    second',
    },
    {
      name: 'shallower indentation is stripped up to the first non-space',
      inText: 'description "first\n  second";',
      want: 'first\nsecond',
    },
    {
      name: 'trailing whitespace before a line break is stripped',
      inText: 'd "first  \t\n   second";',
      want: 'first\nsecond',
    },
    {
      name: 'trailing whitespace before the closing quote is kept',
      inText: 'd "first  ";',
      want: 'first  ',
    },
    {
      name: 'a tab counts as 8 spaces and only the part past the quote column is kept',
      inText: '   d "a\n\t\tb";',
      want: 'a\n  \tb',
    },
    {
      name: 'a tab in the quote line counts as 8 columns',
      inText: '\td "a\n          b";',
      want: 'a\nb',
    },
    {
      name: 'an escaped \\t at the start of a line is not indentation',
      inText: 'd "a\n   \\tb";',
      want: 'a\n\tb',
    },
    {
      name: 'an escaped \\n does not start a new line for trimming',
      inText: 'd "a\\n   b";',
      want: 'a\n   b',
    },
    {
      name: 'empty lines stay empty',
      inText: 'd "a\n\n   b";',
      want: 'a\n\nb',
    },
  ])('$name', ({ inText, want }) => {
    const r = tokenizeYang(inText, 'f.yang');
    expect(r.errors).toEqual([]);
    expect(r.tokens.find((t) => t.quoted)?.text).toBe(want);
  });
});

describe('tokenizeYang errors', () => {
  // Each malformed input is reported at its exact position, and lexing goes on to report the rest.
  it.each([
    {
      name: 'unterminated double-quoted string at its opening quote',
      inText: 'leaf x {\n  description "never closed;\n}\n',
      want: ['f.yang:2:15: unterminated string: missing closing quote'],
      wantTruncated: true,
    },
    {
      name: 'unterminated single-quoted string',
      inText: "pattern '[a-z]+;",
      want: ['f.yang:1:9: unterminated string: missing closing quote'],
      wantTruncated: true,
    },
    {
      name: 'unterminated block comment',
      inText: 'a; /* no end',
      want: ['f.yang:1:4: unterminated comment: missing "*/"'],
      wantTruncated: true,
    },
    {
      name: 'unknown escape in a double-quoted string',
      inText: 'pattern "\\d+"; description "\\x";',
      want: [
        'f.yang:1:10: invalid escape "\\d" in double-quoted string: expected \\n \\t \\" or \\\\',
        'f.yang:1:29: invalid escape "\\x" in double-quoted string: expected \\n \\t \\" or \\\\',
      ],
      wantTruncated: false,
    },
    {
      name: 'a quote glued to an unquoted string',
      inText: 'prefix abc"def";',
      want: ['f.yang:1:11: unexpected quote after unquoted string "abc": expected whitespace'],
      wantTruncated: false,
    },
  ])('$name', ({ inText, want, wantTruncated }) => {
    const r = tokenizeYang(inText, 'f.yang');
    expect(r.errors.map((e) => e.message)).toEqual(want);
    expect(r.truncated).toBe(wantTruncated);
  });

  // An unknown escape keeps its backslash, so the text is still usable for later errors.
  it('keeps an unknown escape verbatim', () => {
    expect(tokenizeYang('"\\d"', 'f.yang').tokens[0].text).toBe('\\d');
  });
});
