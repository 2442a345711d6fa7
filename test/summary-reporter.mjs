// A Node test-runner reporter that ends the run with one plain line:
// "tests: N passed, N failed, N skipped". Skips count todo tests too.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Count leaf tests only: suites report their own pass/fail as well.
    if (event.data.details?.type === 'suite') continue;
    // A todo test counts as skipped whether it passes or fails (node does not fail the run for it).
    if (event.data.skip || event.data.todo) skipped++;
    else if (event.type === 'test:fail') failed++;
    else passed++;
  }
  yield `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
