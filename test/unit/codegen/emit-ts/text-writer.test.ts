// The indenting writer: two-space blocks, single blank lines, TSDoc with `*/` escaped.

import { TextWriter } from '../../../../codegen/src/emit-ts/text-writer';

describe('TextWriter', () => {
  // Blocks indent their body; empty lines carry no indentation; output ends in one newline.
  test('blocks indent and blank lines stay empty', () => {
    const w = new TextWriter();
    w.block('class A {', () => {
      w.line('x = 1;');
      w.blank();
      w.blank();
      w.block('f(): void {', () => w.line('return;'));
    });
    w.blank();
    expect(w.toString()).toBe('class A {\n  x = 1;\n\n  f(): void {\n    return;\n  }\n}\n');
  });

  // A short single line is a one-line comment; paragraphs become a block; `*/` cannot end it early.
  test('doc comments', () => {
    const w = new TextWriter();
    w.doc('Short.');
    w.doc('First line\nsecond line   ', undefined, '', 'Ends with */ here.');
    w.doc(undefined, '  ');
    expect(w.toString()).toBe(
      [
        '/** Short. */',
        '/**',
        ' * First line',
        ' * second line',
        ' *',
        ' * Ends with *\\/ here.',
        ' */',
        '',
      ].join('\n'),
    );
  });

  test('a long single line becomes a block comment', () => {
    const w = new TextWriter();
    w.indent(() => w.doc('x'.repeat(101)));
    expect(w.toString()).toBe(`  /**\n   * ${'x'.repeat(101)}\n   */\n`);
  });
});
