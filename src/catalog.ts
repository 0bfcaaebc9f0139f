// What the server advertises (tools with JSON schemas and annotations, resources), without loading any tool or the
// knowledge base. `npm run build` writes it next to the compiled code from the same function the server would run
// from source (`describeTool`); test/e2e/mcp-catalog.test.ts checks that what tools/list serves equals the registry.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ZodType } from "zod";
import type { ToolSelection } from "./tools/selection.js";
import { selectTools } from "./tools/selection.js";
import type { ToolAnnotations, ToolDef, ToolKind, Toolset } from "./tools/tool.js";
import { appViewMeta } from "./ui/app-links.js";

export interface CatalogTool {
  name: string;
  title: string;
  description: string;
  kind: ToolKind;
  toolset: Toolset;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export interface CatalogResource {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  /** Bytes of its text (UTF-8), so a client can judge before reading it (the troubleshooting rules are ~0.5 MB). */
  size: number;
}

export interface CatalogTemplate {
  name: string;
  uriTemplate: string;
  variables: string[];
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

/** One tool as the catalog holds it: JSON Schemas (draft-7, as MCP clients read them) and annotations. */
export async function describeTool(
  // biome-ignore lint/suspicious/noExplicitAny: any tool definition
  tool: ToolDef<any, any>,
): Promise<CatalogTool> {
  const [{ z }, { annotationsFor }] = await Promise.all([import("zod"), import("./tools/tool.js")]);
  const schema = (type: ZodType, io: "input" | "output") =>
    z.toJSONSchema(type, { io, unrepresentable: "any", target: "draft-7" }) as Record<string, unknown>;
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    kind: tool.kind,
    toolset: tool.toolset,
    inputSchema: schema(tool.input, "input"),
    outputSchema: schema(tool.output, "output"),
    annotations: annotationsFor(tool),
  };
}

/** Builds the catalog from the definitions (imports every tool and the knowledge base). */
export async function buildCatalog(): Promise<Catalog> {
  const [{ allTools }, { RESOURCES, RESOURCE_TEMPLATES }] = await Promise.all([
    import("./tools/index.js"),
    import("./resources/index.js"),
  ]);
  return {
    tools: await Promise.all(allTools.map(describeTool)),
    resources: RESOURCES.map(({ name, uri, title, description, mimeType, read }) => ({
      name,
      uri,
      title,
      description,
      mimeType,
      size: Buffer.byteLength(read()),
    })),
    templates: RESOURCE_TEMPLATES.map(({ name, uriTemplate, variables, title, description, mimeType }) => ({
      name,
      uriTemplate,
      variables,
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

/** The tools/list entries a server with this selection offers, in registry order. */
export function advertisedTools(catalog: Catalog, selection: ToolSelection = {}) {
  return selectTools(catalog.tools, selection).map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: t.inputSchema as { type: "object" },
    outputSchema: t.outputSchema as { type: "object" },
    annotations: t.annotations,
    ...withAppView(t.name),
  }));
}

/** `_meta` linking a tool to its MCP App view, for the tools that have one. */
function withAppView(name: string): { _meta?: Record<string, unknown> } {
  const meta = appViewMeta(name);
  return meta ? { _meta: meta } : {};
}
