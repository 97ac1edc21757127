#!/usr/bin/env node
// Entry of our polycubectl: runs src/cli/main.ts through tsx (TypeScript sources, no build step).
'use strict';
const path = require('path');
require('tsx/cjs');
require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'))
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`polycubectl: ${(e && e.stack) || e}\n`);
      process.exitCode = 2;
    },
  );
