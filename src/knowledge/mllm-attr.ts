// The `attr` block of MindSpeed-MM's MLLM data configs: which record keys hold messages, roles and media.
// Every qwen / glm data config upstream ships exactly these values.
export const UPSTREAM_MLLM_ATTR = {
  system: null,
  images: "images",
  videos: null,
  messages: "messages",
  role_tag: "role",
  content_tag: "content",
  user_tag: "user",
  assistant_tag: "assistant",
  observation_tag: null,
  function_tag: null,
  system_tag: null,
} as const;
