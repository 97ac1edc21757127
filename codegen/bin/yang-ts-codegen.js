#!/usr/bin/env node
// Entry of the yang-ts-codegen CLI: runs the built output when present (published package),
// otherwise the TypeScript sources through tsx (inside this repository).
'use strict';
const fs = require('fs');
const path = require('path');
const built = path.join(__dirname, '..', 'dist', 'bin', 'cli.js');
if (fs.existsSync(built)) {
  require(built).main(process.argv.slice(2));
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'bin', 'cli.ts')).main(process.argv.slice(2));
}
