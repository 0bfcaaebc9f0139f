// Well-known text-only LLM families (Llama, Qwen, Mistral …): names people type that are not vision-language models,
// so find_model can point them at a trainer for text-only models instead of answering "no match". Data only, no I/O.

export interface TextOnlyFamily {
  /** The family as people call it. */
  name: string;
  /** Matches a lower-case model name without its org prefix ("llama-3.1-8b-instruct", "qwen2.5-7b"). */
  pattern: RegExp;
  /** A Hugging Face repo id of the family, as an example of the id TRL takes. */
  exampleRepo: string;
}

/** A separator, a digit or the end: the family name stops there ("phi-3", "opt-1.3b"; not "optimus"). */
const END = String.raw`(?=[-_ .\d]|$)`;
/** A separator or the end: for names whose version follows directly ("qwen3" is Qwen3, "qwen35" is not). */
const SEP = "(?=[-_ .]|$)";

export const TEXT_ONLY_FAMILIES: readonly TextOnlyFamily[] = [
  // Llama 4 is natively multimodal; Llama 3.2 Vision is caught by the markers below.
  {
    name: "Llama",
    pattern: new RegExp(`^(meta-?)?(code|tiny)?llama(?![-_ .]?4)${END}`),
    exampleRepo: "meta-llama/Llama-3.1-8B-Instruct",
  },
  // Qwen3.5 and later are natively multimodal (and in the catalog); Qwen1.5–Qwen3, QwQ and the coders are text-only.
  {
    name: "Qwen",
    pattern: new RegExp(`^(qwen(1\\.5|2(\\.5)?|3(?![._]?[5-9]))?|qwq|codeqwen)${SEP}`),
    exampleRepo: "Qwen/Qwen2.5-7B-Instruct",
  },
  {
    name: "Mistral",
    pattern: new RegExp(`^(mistral|mixtral|ministral|codestral|mathstral)${END}`),
    exampleRepo: "mistralai/Mistral-7B-Instruct-v0.3",
  },
  // Gemma 3 from 4B up reads images, so only Gemma 1, 2 and CodeGemma.
  { name: "Gemma", pattern: new RegExp(`^(code)?gemma(-?2)?(?![-_ .]?3)${END}`), exampleRepo: "google/gemma-2-9b-it" },
  { name: "Phi", pattern: new RegExp(`^phi-?[1-4]${END}`), exampleRepo: "microsoft/Phi-3.5-mini-instruct" },
  {
    name: "DeepSeek (text)",
    pattern: new RegExp(`^deepseek-?(llm|coder|math|moe|v[23]|r1)${END}`),
    exampleRepo: "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
  },
  { name: "Yi", pattern: /^yi-(1\.5-)?\d/, exampleRepo: "01-ai/Yi-1.5-9B-Chat" },
  { name: "Baichuan", pattern: new RegExp(`^baichuan${END}`), exampleRepo: "baichuan-inc/Baichuan2-7B-Chat" },
  // GLM-4V and GLM-4.1V are VLMs ("4v"); ChatGLM and GLM-4-9B are text-only.
  { name: "ChatGLM / GLM-4", pattern: /^(chatglm\d?|glm-?4-\d)/, exampleRepo: "THUDM/glm-4-9b-chat-hf" },
  { name: "InternLM", pattern: new RegExp(`^internlm${END}`), exampleRepo: "internlm/internlm2_5-7b-chat" },
  { name: "Falcon", pattern: new RegExp(`^falcon${END}`), exampleRepo: "tiiuae/falcon-7b-instruct" },
  { name: "Granite", pattern: new RegExp(`^granite${END}`), exampleRepo: "ibm-granite/granite-3.1-8b-instruct" },
  { name: "OLMo", pattern: new RegExp(`^olmo${END}`), exampleRepo: "allenai/OLMo-2-1124-7B-Instruct" },
  { name: "SmolLM", pattern: new RegExp(`^smollm${END}`), exampleRepo: "HuggingFaceTB/SmolLM2-1.7B-Instruct" },
  {
    name: "GPT-2 / GPT-J / GPT-NeoX / Pythia",
    pattern: new RegExp(`^(gpt-?(2|j|neox?)|pythia)${END}`),
    exampleRepo: "EleutherAI/pythia-1.4b",
  },
  { name: "OPT / BLOOM", pattern: new RegExp(`^(opt|bloomz?)${END}`), exampleRepo: "bigscience/bloomz-1b7" },
];

/** Words that make a name a vision, audio or omni model whatever its family ("Llama-3.2-11B-Vision", "Qwen2-VL"). */
const NOT_TEXT_ONLY = /vl|vision|llava|omni|audio|speech|video|image|visual|multimodal|xcomposer|ocr|pixtral/;

/**
 * Releases of a text-only family that read images though their names say nothing of it: Mistral Small 3.1 and 3.2
 * (the 2503 and 2506 checkpoints), Mistral Medium 3, Mistral Large 3 and Ministral 3 (mistral.ai's model cards). Mistral
 * Small 3 (2501) and the Ministral 8B of 2410 stay text-only.
 */
const READS_IMAGES =
  /^(mistral-(small-(3[._][12](?![\d])|(\d+b-)?(instruct-|base-)?25(03|06))|medium-3|large-3)|ministral-3-)/;

/**
 * A family's name alone ("llama", "mistral"), or with a version or size: digits in or right after the family's name
 * ("llama3", "qwen2.5", "gemma-2", "deepseek-v2") or a word of the name that starts with one ("-3.1-", "-8b", "-8x7b",
 * "-2501", "-v0.3"). "llama-banana" is neither: a name the family's releases never had, not one of its models.
 */
function namesAModelOf(name: string, family: TextOnlyFamily): boolean {
  const match = family.pattern.exec(name);
  if (!match) return false;
  const rest = name.slice(match.index + match[0].length);
  return rest === "" || /\d/.test(match[0]) || /^\d/.test(rest) || /(^|[-_ .])v?\d/.test(rest);
}

/** The text-only family a model name belongs to, or undefined (a VLM, or a name no family here claims). */
export function textOnlyFamilyOf(query: string): TextOnlyFamily | undefined {
  const name = query
    .trim()
    .toLowerCase()
    .replace(/^[a-z0-9_.-]+\//, "");
  if (!name || NOT_TEXT_ONLY.test(name) || READS_IMAGES.test(name)) return undefined;
  return TEXT_ONLY_FAMILIES.find((family) => namesAModelOf(name, family));
}
