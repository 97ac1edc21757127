// `describeKernel`: a describe that runs only as root (kernel tests need CAP_BPF and
// CAP_NET_ADMIN) and says why it skipped otherwise. Separate from lbrp-harness.ts so the bench
// can use the harness outside jest.

/** True when the suite can reach the kernel (CAP_BPF, CAP_NET_ADMIN: we require root). */
export const IS_ROOT = process.getuid?.() === 0;

/** `describe` for kernel tests: skipped, with the reason printed, when not root. */
export const describeKernel: jest.Describe = IS_ROOT
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(`skipping "${name}": kernel tests need root (CAP_BPF, CAP_NET_ADMIN)`);
      describe.skip(name, fn);
    }) as jest.Describe);
