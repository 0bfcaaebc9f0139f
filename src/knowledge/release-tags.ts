// MindSpeed-MM release tags this product knows, oldest first, with their publication dates.

export const RELEASE_TAGS = ["v2.1.0", "v2.2.0", "v2.3.0", "v26.0.0", "v26.1.0"] as const;
export type ReleaseTag = (typeof RELEASE_TAGS)[number];

export const RELEASE_DATES: Record<ReleaseTag, string> = {
  "v2.1.0": "2025-07-24",
  "v2.2.0": "2025-10-28",
  "v2.3.0": "2026-01-08",
  "v26.0.0": "2026-04-28",
  "v26.1.0": "2026-08-03",
};

export const NEWEST_RELEASE: ReleaseTag = "v26.1.0";

export function isReleaseTag(value: string): value is ReleaseTag {
  return (RELEASE_TAGS as readonly string[]).includes(value);
}

/** Accepts "26.1.0", "v26.1.0", "2.3" and the like. */
export function normalizeRelease(value: string): ReleaseTag | null {
  const v = value.trim().toLowerCase().replace(/^v/, "");
  const full = /^\d+\.\d+$/.test(v) ? `${v}.0` : v;
  const tag = `v${full}`;
  return isReleaseTag(tag) ? tag : null;
}
