// Name and version of this generator, as written into the header of every generated file.
// A unit test keeps GENERATOR_VERSION equal to codegen/package.json's version.

/** The generator's package name. */
export const GENERATOR_NAME = 'yang-ts-codegen';

/** The generator's version (codegen/package.json). */
export const GENERATOR_VERSION = '0.1.0';
