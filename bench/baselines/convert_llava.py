"""Plain baseline: LLaVA -> MLLM the straightforward way (json.load, loop, json.dump), with the same checks
our converter makes that cost nothing extra here (speakers, alternation, <image> count, image file exists).

usage: convert_llava.py INPUT OUTPUT IMAGE_DIR  -> prints one JSON line {records, written, seconds, peakRssKb}
"""
import json
import os
import resource
import sys
import time

ROLES = {"human": "user", "gpt": "assistant"}


def main():
    inp, out, image_dir = sys.argv[1:4]
    started = time.time()
    with open(inp, encoding="utf-8") as f:
        data = json.load(f)
    result = []
    for rec in data:
        image = rec.get("image")
        if image is not None and not os.path.exists(os.path.join(image_dir, image)):
            continue
        messages = []
        placeholders = 0
        for i, turn in enumerate(rec["conversations"]):
            role = ROLES.get(turn["from"])
            if role is None:
                raise ValueError("unknown speaker %r" % turn["from"])
            if role != ("user" if i % 2 == 0 else "assistant"):
                raise ValueError("roles do not alternate")
            placeholders += turn["value"].count("<image>")
            messages.append({"role": role, "content": turn["value"]})
        images = [os.path.join(image_dir, image)] if image else []
        if placeholders != len(images):
            raise ValueError("placeholder count differs from image count")
        result.append({"messages": messages, "images": images})
    with open(out, "x", encoding="utf-8") as f:
        json.dump(result, f)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "records": len(data),
        "written": len(result),
        "seconds": round(time.time() - started, 3),
        "peakRssKb": peak // 1024 if sys.platform == "darwin" else peak,
    }))


if __name__ == "__main__":
    main()
