// `ascend-train demo`: grows with the tools; see runDemo.
export async function runDemo(_opts: { dir?: string; keep?: boolean }): Promise<number> {
  return 0;
}
