// Public API of yang-ts-codegen: the YANG parser (parse/), the schema IR and its loader (ir/), and
// the name conversions emitters use. Emitters add their own `export * from` lines below.

export * from './parse/diagnostics';
export * from './parse/lexer';
export * from './parse/grammar';
export * from './parse/parser';
export * from './ir/types';
export * from './ir/load-module';
export * from './ir/names';
export * from './ir/helpers';
export * from './ir/ranges';
export * from './ir/check-value';
