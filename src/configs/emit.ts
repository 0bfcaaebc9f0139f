// Config text: JSON with 4-space indent (as upstream), YAML through the `yaml` package.
import { stringify } from "yaml";

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

export function toYaml(value: unknown): string {
  // No anchors/aliases: repeated paths are written out, each key stands alone.
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}
