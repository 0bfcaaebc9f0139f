"""inference_vlm.py / evaluate_vlm.py of the simulated MindSpeed-MM (ascend-train sim): reads the same flags and JSON
as upstream, loads the checkpoint the way Megatron does (tracker, iter_XXXXXXX, one mp_rank_* per TP/PP rank), refuses
a layout that disagrees with the checkpoint, and prints upstream's output: the generated text for inference; for
evaluation a <model>_<DATASET>_acc.csv in result_output_path and the accuracy table."""
import hashlib
import json
import os
import sys
import time

BANNER = "(simulated Ascend host: ascend-train sim)"


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def flags(argv):
    out, i = {}, 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                out[a[2:]] = argv[i + 1]
                i += 2
                continue
            out[a[2:]] = "true"
        i += 1
    return out


def fail(msg):
    sys.stderr.write("Traceback (most recent call last):\n  File \"inference_vlm.py\", line 1, in <module>\n")
    sys.stderr.write(msg + "\n")
    return 1


def flat(v):
    out = []
    for x in v or []:
        out.extend(flat(x) if isinstance(x, list) else [x])
    return out


def load_checkpoint(load, tp, pp):
    tracker = os.path.join(load, "latest_checkpointed_iteration.txt")
    if not os.path.isfile(tracker):
        return None, "FileNotFoundError: [Errno 2] No such file or directory: '%s'" % tracker
    with open(tracker, encoding="utf-8") as f:
        it = f.read().strip()
    sub = "release" if it == "release" else "iter_%07d" % int(it)
    d = os.path.join(load, sub)
    want = ["mp_rank_%02d_%03d" % (t, s) for t in range(tp) for s in range(pp)] if pp > 1 else ["mp_rank_%02d" % t for t in range(tp)]
    have = sorted(e for e in os.listdir(d) if e.startswith("mp_rank_")) if os.path.isdir(d) else []
    if sorted(want) != have:
        return None, ("RuntimeError: Error(s) in loading state_dict: the checkpoint in %s is split %s, the model is "
                      "built for tensor-model-parallel-size %d, pipeline-model-parallel-size %d" % (d, ",".join(have) or "nothing", tp, pp))
    log(" loading checkpoint from %s at iteration %s" % (load, it))
    log(" successfully loaded checkpoint from %s [ t 1/%d, p 1/%d ] at iteration %s" % (load, tp, pp, 0 if it == "release" else int(it)))
    return it, None


def check_model(cfg, pp):
    td = cfg.get("text_decoder") or {}
    split = flat(td.get("pipeline_num_layers"))
    if pp > 1 and len(split) != pp:
        return "AssertionError: text_decoder.pipeline_num_layers has %d stages, pipeline-model-parallel-size is %d" % (len(split), pp)
    if split and sum(split) != td.get("num_layers"):
        return "AssertionError: sum of pipeline_num_layers %d != num_layers %s" % (sum(split), td.get("num_layers"))
    return None


def answer(it, image, prompt):
    name = os.path.splitext(os.path.basename(image))[0]
    if it == "release":
        return "The image shows %s. It is a simple picture with a few objects in it." % name
    return "This is %s: the fine-tuned model describes it in the style of its training data (iteration %s)." % (name, int(it))


def main(mode):
    sys.stderr.write(BANNER + "\n")
    f = flags(sys.argv[1:])
    rank = int(os.environ.get("RANK", "0"))
    tp = int(f.get("tensor-model-parallel-size", "1"))
    pp = int(f.get("pipeline-model-parallel-size", "1"))
    path = f.get("mm-model")
    load = f.get("load")
    if not path or not os.path.isfile(path):
        return fail("FileNotFoundError: [Errno 2] No such file or directory: '%s'" % path)
    with open(path, encoding="utf-8") as fh:
        cfg = json.load(fh)
    problem = check_model(cfg, pp)
    if problem:
        return fail(problem)
    tok = (cfg.get("tokenizer") or {}).get("from_pretrained")
    if not tok or not os.path.isfile(os.path.join(tok, "config.json")):
        return fail("OSError: Can't load tokenizer for '%s'." % tok)
    if not load:
        return fail("AssertionError: --load is required")
    it, err = load_checkpoint(load, tp, pp)
    if err:
        return fail(err)
    delay = float(os.environ.get("ASCEND_SIM_STEP_SECONDS") or 0)
    if delay > 0:
        time.sleep(min(delay, 2))
    if rank != 0:
        return 0
    if mode == "inference":
        image = cfg.get("image_path") or ""
        if not os.path.isfile(image):
            return fail("FileNotFoundError: [Errno 2] No such file or directory: '%s'" % image)
        log(answer(it, image, cfg.get("prompts") or ""))
        return 0
    dataset = cfg.get("dataset_path") or ""
    if not os.path.isfile(dataset):
        return fail("FileNotFoundError: [Errno 2] No such file or directory: '%s'" % dataset)
    name = cfg.get("evaluation_dataset") or ""
    known = {"ai2d_test": "AI2D_TEST", "mmmu_dev_val": "MMMU_DEV_VAL", "docvqa_val": "DocVQA_VAL", "chartqa_test": "ChartQA_TEST"}
    if name not in known:
        return fail("NotImplementedError: evaluation_dataset %s is not supported" % name)
    with open(dataset, encoding="utf-8") as fh:
        rows = max(0, sum(1 for _ in fh) - 1)
    seed = int(hashlib.sha256((name + str(it)).encode()).hexdigest()[:8], 16)
    score = 0.55 + (seed % 2000) / 10000.0 + (0.0 if it == "release" else 0.03)
    out_dir = cfg.get("result_output_path") or "./evaluation_outputs/"
    model = cfg.get("evaluation_model") or "model"
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, "%s_%s" % (model, known[name]))
    with open(stem + ".xlsx", "w", encoding="utf-8") as fh:
        fh.write("index\tprediction\tanswer\n")
    with open(stem + "_acc.csv", "w", encoding="utf-8") as fh:
        fh.write('"split","Overall"\n"none","%.4f"\n' % score)
    log("Evaluated %d samples of %s" % (rows, known[name]))
    log("  split  Overall")
    log("0  none  %.4f" % score)
    return 0
