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
export * from './schema/schema-nodes';
export * from './schema/yang-values';
export * from './schema/xsd-regex';
export * from './schema/json-schema';
export * from './schema/body-validator';
export * from './schema/path-keys';
export * from './routes/route-table';
export * from './routes/help';
export * from './routes/completion';
export * from './emit-ts/generate-module';
export * from './emit-ts/text-writer';
export * from './diff/unified-diff';
export * from './version';
