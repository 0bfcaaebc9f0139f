// What the server advertises (tools with JSON schemas, resources), without loading any tool or the knowledge base.
// `npm run build` writes it next to the compiled code; without it (running from source) it is computed in-process.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ToolKind, Toolset } from "./tools/tool.js";

export interface CatalogTool {
  name: string;
  title: string;
  description: string;
  kind: ToolKind;
  toolset: Toolset;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
}

export interface CatalogResource {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
}

export interface CatalogTemplate {
  name: string;
  uriTemplate: string;
  title: string;
  description: string;
  mimeType: string;
}

export interface Catalog {
  tools: CatalogTool[];
  resources: CatalogResource[];
  templates: CatalogTemplate[];
}

export const CATALOG_FILE = join(dirname(fileURLToPath(import.meta.url)), "catalog.json");

/** Builds the catalog from the definitions (imports every tool and the knowledge base). */
export async function buildCatalog(): Promise<Catalog> {
  const [{ allTools }, { RESOURCES, RESOURCE_TEMPLATES }, { z }] = await Promise.all([
    import("./tools/index.js"),
    import("./resources/index.js"),
    import("zod"),
  ]);
  return {
    tools: allTools.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      kind: t.kind,
      toolset: t.toolset,
      inputSchema: z.toJSONSchema(t.input, { io: "input", unrepresentable: "any", target: "draft-7" }) as Record<
        string,
        unknown
      >,
      outputSchema: z.toJSONSchema(t.output, { io: "output", unrepresentable: "any", target: "draft-7" }) as Record<
        string,
        unknown
      >,
    })),
    resources: RESOURCES.map(({ name, uri, title, description, mimeType }) => ({
      name,
      uri,
      title,
      description,
      mimeType,
    })),
    templates: RESOURCE_TEMPLATES.map(({ name, uriTemplate, title, description, mimeType }) => ({
      name,
      uriTemplate,
      title,
      description,
      mimeType,
    })),
  };
}

let cached: Promise<Catalog> | null = null;

export function loadCatalog(): Promise<Catalog> {
  if (!cached) {
    cached =
      existsSync(CATALOG_FILE) && !process.env.ASCEND_TRAIN_FROM_SOURCE
        ? Promise.resolve(JSON.parse(readFileSync(CATALOG_FILE, "utf8")) as Catalog)
        : buildCatalog();
  }
  return cached;
}
