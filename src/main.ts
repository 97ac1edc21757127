// `npm start` entry. The daemon (polycubed + the lbrp service) is not built yet: say so plainly
// and exit non-zero rather than pretend to run.
const missing = [
  'polycubed REST API (issue: polycubed REST API)',
  'polycubed gRPC server and cube runtime (issue: polycubed gRPC/runtime)',
  'the lbrp service (issue: the lbrp service)',
];
console.error('lbrp: the daemon is not available yet. Missing pieces:');
for (const m of missing) console.error(`  - ${m}`);
console.error('What works today: `npm test` (codegen, datamodel, dataplane kernel tests).');
process.exit(1);
