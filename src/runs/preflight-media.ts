// Pre-flight, the dataset's media: the first records' images and videos must be where the run will open them, under
// the dataset_dir (data_folder) of the data config the launch script names, joined as MindSpeed-MM's dataset code
// joins them. Otherwise the dataloader stops at the first one with FileNotFoundError after the whole start-up, so the
// launch is refused here. Checked on the master (the dataset's head and one bounded `test -e` per path).
import { rebuildHint } from "../configs/build-inputs.js";
import { checkDatasetMedia, mediaRootOf, missingMediaMessage } from "../configs/dataset-media.js";
import { callHint } from "../text/hint.js";
import type { LaunchScriptInfo } from "./launch-script.js";
import { resolveOnHost } from "./preflight-read.js";
import type { Add, NodeContext } from "./preflight-types.js";
import { parseConfigText } from "./run-config.js";

/**
 * The data config the script names, as the run reads it: the data JSON (Megatron path), else the trainer YAML's
 * `data` section. Undefined when there is none or it cannot be read (the configs check reports that).
 */
async function readDataConfig(master: NodeContext, info: LaunchScriptInfo): Promise<unknown> {
  const path = info.dataConfig ?? info.mainConfig;
  if (!path) return undefined;
  try {
    const text = (await master.executor.readFile(resolveOnHost(master.workdir, path), { maxBytes: 4 * 1024 * 1024 }))
      .content;
    const parsed = parseConfigText(path, text);
    if (info.dataConfig) return parsed;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>).data : undefined;
  } catch {
    return undefined;
  }
}

export async function checkDatasetMediaOnMaster(
  master: NodeContext,
  info: LaunchScriptInfo,
  buildInputs: Record<string, unknown> | null,
  add: Add,
): Promise<void> {
  if (!master.workdir || master.facts?.workdirExists === false) return;
  const root = mediaRootOf(await readDataConfig(master, info), master.workdir);
  if (!root) return;
  const check = await checkDatasetMedia(master.executor, root, { workdir: master.workdir });
  if (!check || check.missing.length === 0) return;
  const rebuild = (dir: string) => rebuildHint(buildInputs, master.host, { datasetDir: dir, overwrite: true });
  const validate = callHint("validate_dataset", { host: master.host, path: root.file, imageDir: root.dirAbs });
  add({
    id: "dataset-media",
    host: master.host,
    level: "error",
    message: `The dataset ${root.file}: ${missingMediaMessage(check, root)}`,
    fix: check.foundUnder
      ? `The images are under ${check.foundUnder}: rebuild the configs with that dataset_dir, ${rebuild(check.foundUnder)}, then launch again.`
      : `Put the images under ${root.dirAbs} (${validate} checks every record), or rebuild the configs with the folder the records' paths are relative to: ${rebuild("/path/to/images-root")}, then launch again.`,
  });
}
