// Which dataset record shape each model family's MindSpeed-MM data config expects. Typed data, no I/O.
import { UPSTREAM_MLLM_ATTR } from "../knowledge/mllm-attr.js";

/**
 * mllm: `{messages: [{role, content}], images: [...], videos?: [...]}`, roles user/assistant (optionally system),
 *   keys remappable through the data config's `dataset_param.attr`.
 * conversation: LLaVA/InternVL style `{id?, image?: path | path[], video?, conversations: [{from, value}]}`,
 *   speakers human/gpt, image paths relative to the config's `data_folder`.
 * ocr: DeepSeek-OCR's OCRDataset (examples/deepseekocr*, JSON Lines): `{id?, conversations: [{role: "<|User|>",
 *   content: prompt, images: [path]}, {role: "<|Assistant|>", content: answer}]}`: one image, one answer, and no
 *   <image> placeholder (the dataset adds it).
 */
export type RecordFormat = "mllm" | "conversation" | "ocr";
/** json: one top-level array; jsonl: one record per line. */
export type Container = "json" | "jsonl";

/**
 * A dataset class's rules beyond its record format. ming: examples/ming/vl_dataset.py (v2.2.0 - v26.0.0) reads MLLM
 * records with fixed key names (messages/images, role/content, user/assistant) from one JSON array (json.load): every
 * record needs at least one image (it reads `images` unconditionally), no videos, and no system turn (every turn
 * whose role is not user is prefixed as the assistant, and turns are paired two by two).
 */
export type DatasetRules = "ming";

export interface DatasetFormat {
  record: RecordFormat;
  container: Container;
  /** Where the data config names the file and the image root. */
  configKeys: { file: string; imageRoot: string };
  /** Key names come from `dataset_param.attr` (mllm only). */
  usesAttr: boolean;
  /** The dataset class's own rules, checked by validate_dataset and applied by prepare_dataset. */
  rules?: DatasetRules;
  note: string;
}

const MLLM: DatasetFormat = {
  record: "mllm",
  container: "json",
  configKeys: {
    file: "dataset_param.basic_parameters.dataset",
    imageRoot: "dataset_param.basic_parameters.dataset_dir",
  },
  usesAttr: true,
  note: "MLLM messages/images; keys mapped by dataset_param.attr; relative image paths resolve against dataset_dir.",
};

const CONVERSATION: DatasetFormat = {
  record: "conversation",
  container: "jsonl",
  configKeys: {
    file: "dataset_param.basic_parameters[].data_path",
    imageRoot: "dataset_param.basic_parameters[].data_folder",
  },
  usesAttr: false,
  note: "conversation records (from human/gpt, `image` path or list); basic_parameters is a list of {data_path, data_folder, repeat_time}.",
};

const OCR: DatasetFormat = {
  record: "ocr",
  container: "jsonl",
  configKeys: { file: "DATA_PATH (finetune_ocr*.sh)", imageRoot: "DATA_DIR (finetune_ocr*.sh)" },
  usesAttr: false,
  note: "DeepSeek-OCR records (<|User|> prompt with images[0], <|Assistant|> answer), JSON Lines read by pandas.",
};

const MING: DatasetFormat = {
  record: "mllm",
  container: "json",
  configKeys: { file: "DATA_PATH (finetune_vl.sh)", imageRoot: "DATA_DIR (finetune_vl.sh)" },
  usesAttr: false,
  rules: "ming",
  note: "Ming's VLDataset: one JSON array of MLLM records with the fixed keys messages/images, role/content, user/assistant; at least one image per record, no videos, no system turn; relative image paths resolve against DATA_DIR.",
};

export const DATASET_FORMATS = {
  qwen2vl: MLLM,
  "qwen2.5vl": MLLM,
  qwen3vl: MLLM,
  qwen3_5: MLLM,
  qwen3_6: MLLM,
  "glm4.1v": MLLM,
  "glm4.5v": MLLM,
  step3_vl: MLLM,
  mimov2_5: MLLM,
  "magistral-2509": MLLM,
  internvl2: CONVERSATION,
  "internvl2.5": CONVERSATION,
  internvl3: CONVERSATION,
  "internvl3.5": CONVERSATION,
  deepseekvl2: { ...CONVERSATION, container: "json" },
  deepseekocr: OCR,
  deepseekocr2: OCR,
  ming: MING,
} as const satisfies Record<string, DatasetFormat>;

export type DatasetFamily = keyof typeof DATASET_FORMATS;
export const DATASET_FAMILIES = Object.keys(DATASET_FORMATS) as DatasetFamily[];

/** The `dataset_param.attr` section of a data config (null: the column is not used). */
export interface DataAttr {
  system?: string | null;
  images?: string | null;
  videos?: string | null;
  messages?: string | null;
  role_tag?: string | null;
  content_tag?: string | null;
  user_tag?: string | null;
  assistant_tag?: string | null;
  observation_tag?: string | null;
  function_tag?: string | null;
  system_tag?: string | null;
}

/** Upstream's default attr (every qwen/glm data config ships these values). */
export const DEFAULT_ATTR: DataAttr = UPSTREAM_MLLM_ATTR;

/** Key names the converter reads and writes for MLLM records. */
export interface MllmKeys {
  messages: string;
  images: string | null;
  videos: string | null;
  role: string;
  content: string;
  user: string;
  assistant: string;
  systemTag: string;
  system: string | null;
}

/** MLLM key names from an attr section; unset entries fall back to the usual names so plain files still work. */
export function mllmKeys(attr: DataAttr = {}): MllmKeys {
  return {
    messages: attr.messages ?? "messages",
    images: attr.images === null ? null : (attr.images ?? "images"),
    videos: attr.videos ?? "videos",
    role: attr.role_tag ?? "role",
    content: attr.content_tag ?? "content",
    user: attr.user_tag ?? "user",
    assistant: attr.assistant_tag ?? "assistant",
    systemTag: attr.system_tag ?? "system",
    system: attr.system ?? "system",
  };
}
