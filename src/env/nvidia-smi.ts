// Reads nvidia-smi's two output forms: the default table (driver and CUDA version in its banner, one two-line row per
// GPU with the memory column `used MiB / total MiB`) and `--query-gpu=index,name,driver_version,memory.total,
// memory.used --format=csv,noheader,nounits` (one GPU a line, values joined by ", ", memory in MiB). Pure.

export interface NvidiaGpu {
  index: number;
  name: string;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
}

export interface NvidiaSmiFacts {
  driver: string | null;
  /** The highest CUDA version the driver supports, from the table's banner. */
  cudaVersion: string | null;
  gpus: NvidiaGpu[];
}

/** The fields the CSV query asks for, in order. */
export const NVIDIA_QUERY_FIELDS = ["index", "name", "driver_version", "memory.total", "memory.used"] as const;

export function parseNvidiaSmiTable(text: string): NvidiaSmiFacts {
  const driver = /Driver Version:\s*([0-9.]+)/.exec(text)?.[1] ?? null;
  const cudaVersion = /CUDA Version:\s*([0-9.]+)/.exec(text)?.[1] ?? null;
  const gpus: NvidiaGpu[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    // First line of a GPU row: `|   0  NVIDIA L4        On  |   00000000:31:00.0 Off |   0 |`
    const head = /^\|\s+(\d+)\s+(.+?)\s+(?:On|Off)\s*\|\s*[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.\d/.exec(
      lines[i]!,
    );
    if (!head) continue;
    const mem = /(\d+)MiB\s*\/\s*(\d+)MiB/.exec(lines[i + 1] ?? "");
    gpus.push({
      index: Number(head[1]),
      name: head[2]!.trim(),
      memoryUsedMiB: mem ? Number(mem[1]) : 0,
      memoryTotalMiB: mem ? Number(mem[2]) : 0,
    });
  }
  return { driver, cudaVersion, gpus };
}

/** One GPU a line, in NVIDIA_QUERY_FIELDS order; lines that do not read are skipped. */
export function parseNvidiaSmiCsv(text: string): { driver: string | null; gpus: NvidiaGpu[] } {
  let driver: string | null = null;
  const gpus: NvidiaGpu[] = [];
  for (const line of text.split("\n")) {
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length !== NVIDIA_QUERY_FIELDS.length) continue;
    const [index, name, drv, total, used] = cells as [string, string, string, string, string];
    if (!/^\d+$/.test(index) || !/^\d+$/.test(total)) continue;
    driver ??= drv;
    gpus.push({
      index: Number(index),
      name,
      memoryTotalMiB: Number(total),
      memoryUsedMiB: /^\d+$/.test(used) ? Number(used) : 0,
    });
  }
  return { driver, gpus };
}
