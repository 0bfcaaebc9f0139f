// Input fields shared by prepare_dataset and validate_dataset.
import { z } from "zod";
import { DATASET_FAMILIES, type RecordFormat } from "./formats.js";

const tag = z.string().min(1).nullable().optional();

export const AttrInput = z
  .object({
    system: tag,
    images: tag,
    videos: tag,
    messages: tag,
    role_tag: tag,
    content_tag: tag,
    user_tag: tag,
    assistant_tag: tag,
    observation_tag: tag,
    function_tag: tag,
    system_tag: tag,
  })
  .strict()
  .describe("The data config's dataset_param.attr section: MLLM key names (null = column not used).");

export const FamilyInput = z
  .enum(DATASET_FAMILIES as [string, ...string[]])
  .describe("Model family; picks the record format and container its MindSpeed-MM data config expects.");

export const RecordFormatInput = z
  .enum(["mllm", "conversation", "llava", "ocr"])
  .describe(
    "mllm: messages/images (Qwen, GLM); conversation (alias llava): conversations/image (LLaVA, InternVL, DeepSeekVL2); " +
      "ocr: DeepSeek-OCR's <|User|>/<|Assistant|> conversations with the image on the user turn.",
  );

export const hostPath = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((p) => !p.includes("\0"), `${what} must not contain NUL`)
    .describe(`${what} on the host (absolute, ~, or relative to the host's workdir).`);

export const commonInput = {
  host: z.string().min(1).default("local").describe("Host name from list_hosts."),
  imageDir: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Directory that relative image/video paths in the input resolve against (default: the input's directory).",
    ),
  checkImages: z
    .boolean()
    .default(true)
    .describe("Check that every image exists and is a readable JPEG/PNG (headers only), and every video exists."),
  maxProblems: z.number().int().min(1).max(200).default(20).describe("How many problems to report in detail."),
  timeoutSec: z.number().int().min(10).max(86_400).default(3600).describe("Stop the job after this many seconds."),
};

export function normalizeFormat(f: z.output<typeof RecordFormatInput>): RecordFormat {
  return f === "llava" ? "conversation" : f;
}

export const Stats = {
  records: z.number(),
  valid: z.number(),
  invalid: z.number(),
  images: z.number().describe("image references in valid records"),
  videos: z.number(),
  distinctMediaChecked: z.number(),
  problemCounts: z.record(z.string(), z.number()),
  hostPeakRssMb: z.number().nullable().describe("peak memory of the job on the host"),
  seconds: z.number(),
};
