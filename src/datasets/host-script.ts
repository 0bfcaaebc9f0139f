// The program that converts and validates a dataset ON the host, next to the data: big files never cross the wire.
// Self-contained Python 3.6+ (stdlib only; every Ascend host has python3). Sent on stdin to `python3 - <args-json>`.
// Stdout protocol: "P <bytes> <total> <records>" progress lines, then one "R <json>" result line.
// It parses one record at a time (bounded memory), writes only to the temporary path it is given (created new, with no
// symlink followed on its way), and never renames.

import { READERS } from "./host-script-readers.js";

export const DATASET_HOST_SCRIPT = String.raw`
import codecs, json, os, re, signal, stat, struct, sys, time

A = json.loads(sys.argv[1])
CHUNK = 1 << 20
MAX_RECORD = 64 << 20
PNG_SIG = b"\x89PNG\r\n\x1a\n"
SOF = set([0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF])
START = time.time()


class Fatal(Exception):
    pass


def emit(kind, payload):
    sys.stdout.write(kind + " " + payload + "\n")
    sys.stdout.flush()


${READERS}SPEAKERS = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
S = json.encoder.encode_basestring_ascii
ANY = json.JSONEncoder(check_circular=False).encode
MISSING = object()


OCR_ROLES = {"<|User|>": "human", "<|Assistant|>": "gpt"}


def is_ocr(rec):
    """DeepSeek-OCR records: conversations of {role, content} turns, the image list on the user turn."""
    turns = rec.get("conversations")
    return type(turns) is list and len(turns) > 0 and type(turns[0]) is dict and "role" in turns[0]


def from_ocr(rec):
    """The OCR record as a conversation record (<image> placeholders in front of the prompt), or a problem."""
    turns = rec.get("conversations")
    out = []
    images = []
    for i, turn in enumerate(turns):
        if type(turn) is not dict or type(turn.get("role")) is not str or type(turn.get("content")) is not str:
            return None, ("fields", "conversations[%d] needs string 'role' and 'content'" % i)
        who = OCR_ROLES.get(turn["role"])
        if who is None:
            return None, ("roles", "conversations[%d] has unknown role %s (DeepSeek-OCR: <|User|>, <|Assistant|>)" % (i, S(turn["role"])))
        text = turn["content"]
        imgs = turn.get("images")
        if imgs is not None:
            if type(imgs) is not list:
                return None, ("fields", "conversations[%d].images must be a list" % i)
            images.extend(imgs)
            text = "<image>\n" * len(imgs) + text
        out.append({"from": who, "value": text})
    conv = {"conversations": out, "image": images}
    if "id" in rec:
        conv["id"] = rec["id"]
    return conv, None


class Converter(object):
    """Checks one record and, when it is sound, renders the converted record as JSON text (no dicts rebuilt)."""

    def __init__(self):
        k = A["keys"]
        self.source, self.target = A["from"], A.get("to") or "mllm"
        self.rules = A.get("rules")
        self.mk, self.ik, self.vk, self.sk = k["messages"], k["images"], k["videos"], k["system"]
        self.rk, self.ck = k["role"], k["content"]
        self.role_in = {k["user"]: "user", k["assistant"]: "assistant", k["systemTag"]: "system"}
        if self.target == "conversation":
            self.head = dict((r, '{"from": %s, "value": ' % S(n)) for r, n in (("user", "human"), ("assistant", "gpt"), ("system", "system")))
            self.turns_key, self.img_key, self.vid_key, self.sys_key = "conversations", "image", "video", "system"
        elif self.rules == "ming":
            # vl_dataset.py hard-codes its keys; it reads no videos and no system field.
            self.head = dict((r, '{"role": %s, "content": ' % S(r)) for r in ("user", "assistant", "system"))
            self.turns_key, self.img_key, self.vid_key, self.sys_key = "messages", "images", None, None
        else:
            names = {"user": k["user"], "assistant": k["assistant"], "system": k["systemTag"]}
            self.head = dict((r, "{%s: %s, %s: " % (S(self.rk), S(n), S(self.ck))) for r, n in names.items())
            self.turns_key, self.img_key, self.vid_key, self.sys_key = self.mk, self.ik, self.vk, self.sk
        self.check_media = A["checkImages"]
        self.media_dir = os.path.expanduser(A["imageDir"])
        self.media_root = os.path.normpath(os.path.abspath(self.media_dir))
        self.prefix = (A.get("imagePrefix") or "").rstrip("/")
        self.media = {}
        self.rendered_paths = {}
        self.n_images = self.n_videos = 0
        self.formats = {}

    def media_problem(self, p, video):
        r = self.media.get(p, MISSING)
        if r is MISSING:
            full = self.media_path(p)
            if full is None:
                r = ("outside", "leaves imageDir (absolute, ~ or ..): only files under imageDir are read")
            elif video:
                r = None if os.path.isfile(full) else ("missing", "not found")
            else:
                r = image_problem(full)
            self.media[p] = r
        return r

    def media_path(self, p):
        """The media file under imageDir, or None when the path leads out of it (absolute, ~, or .. after resolving)."""
        if os.path.isabs(p) or p.startswith("~"):
            return None
        full = os.path.normpath(os.path.join(self.media_root, p))
        if full != self.media_root and not full.startswith(self.media_root.rstrip("/") + "/"):
            return None
        return full

    def path_json(self, p):
        r = self.rendered_paths.get(p)
        if r is None:
            q = p if (not self.prefix or os.path.isabs(p)) else self.prefix + "/" + p
            r = self.rendered_paths[p] = S(q)
        return r

    def __call__(self, rec):
        """(json_text, None) or (None, (kind, message))."""
        if type(rec) is not dict:
            return None, ("record", "is not a JSON object")
        fmt = self.source
        if fmt == "auto":
            if "conversations" in rec:
                turns = rec["conversations"]
                # is_ocr, inline: it runs once per record.
                first = turns[0] if type(turns) is list and turns else None
                fmt = "ocr" if type(first) is dict and "role" in first else "conversation"
            else:
                fmt = "mllm" if self.mk in rec else None
            if fmt is None:
                return None, ("fields", "has neither 'conversations' nor '%s'" % self.mk)
        formats = self.formats
        formats[fmt] = formats.get(fmt, 0) + 1
        if fmt == "ocr":
            rec, problem = from_ocr(rec)
            if problem is not None:
                return None, problem
            fmt = "conversation"
        if fmt == "conversation":
            tk, rkey, ckey, roles = "conversations", "from", "value", SPEAKERS
            iname, vname, sname = "image", "video", "system"
        else:
            tk, rkey, ckey, roles = self.mk, self.rk, self.ck, self.role_in
            iname, vname, sname = self.ik, self.vk, self.sk
        turns = rec.get(tk)
        if type(turns) is not list or not turns:
            return None, ("fields", "'%s' is missing or not a non-empty list" % tk)
        messages, n_img, n_vid, problem = self.messages(turns, tk, rkey, ckey, roles)
        if problem is not None:
            return None, problem
        return self.finish(rec, messages, n_img, n_vid, iname, vname, sname)

    def messages(self, turns, tk, rkey, ckey, roles):
        # The loop runs once per turn of every record: names are local, and the role expected next is carried along
        # instead of computed.
        head = self.head
        ocr = self.target == "ocr"
        enc = S
        parts = []
        add = parts.append
        n_img = n_vid = 0
        start = 0
        t = 0
        expect = "user"
        for turn in turns:
            try:
                who = turn[rkey]
                text = turn[ckey]
            except (KeyError, TypeError):
                return None, 0, 0, ("fields", "%s[%d] needs string '%s' and '%s'" % (tk, t, rkey, ckey))
            if type(who) is not str or type(text) is not str:
                return None, 0, 0, ("fields", "%s[%d] needs string '%s' and '%s'" % (tk, t, rkey, ckey))
            role = roles.get(who)
            if role is not expect:
                if role is None:
                    return None, 0, 0, ("roles", "%s[%d] has unknown %s %s" % (tk, t, rkey, S(who)))
                if role == "system":
                    if self.rules == "ming":
                        return None, 0, 0, ("ming-shape", "%s[%d] is a system turn; Ming's VLDataset has none (it reads every turn that is not the user's as the assistant's)" % (tk, t))
                    if t != 0:
                        return None, 0, 0, ("roles", "%s[%d] is a system turn; only the first turn may be one" % (tk, t))
                    start = 1
                    expect = "assistant"
                elif role != expect:
                    return None, 0, 0, ("roles", "%s[%d] is '%s'; roles must alternate user/assistant starting with user" % (tk, t, role))
            if "<" in text:
                n_img += text.count("<image>")
                n_vid += text.count("<video>")
            if ocr:
                add((role, text))
            else:
                add(head[role] + enc(text) + "}")
            expect = "assistant" if expect == "user" else "user"
            t += 1
        if expect != "user" or t == start:
            return None, 0, 0, ("roles", "conversation must end with an assistant turn")
        if ocr:
            return parts, n_img, n_vid, None
        return "[" + ", ".join(parts) + "]", n_img, n_vid, None

    def finish(self, rec, messages, n_img, n_vid, iname, vname, sname):
        images = rec.get(iname) if iname else None
        videos = rec.get(vname) if vname else None
        # The common record: one image path, no videos.
        if type(images) is str and videos is None and images:
            images = [images]
            videos = []
        else:
            images = [] if images is None else images if type(images) is list else [images]
            videos = [] if videos is None else videos if type(videos) is list else [videos]
            for name, lst in ((iname, images), (vname, videos)):
                for p in lst:
                    if type(p) is not str or not p:
                        return None, ("fields", "'%s' must hold non-empty path strings" % name)
        if self.rules == "ming":
            if not images:
                return None, ("ming-shape", "Ming's VLDataset needs at least one image per record (it reads '%s' unconditionally)" % iname)
            if videos:
                return None, ("ming-shape", "Ming's VLDataset reads images only; the record has %d video(s)" % len(videos))
        if n_img != len(images):
            return None, ("placeholders", "%d <image> placeholder(s) but %d image(s)" % (n_img, len(images)))
        if n_vid != len(videos):
            return None, ("placeholders", "%d <video> placeholder(s) but %d video(s)" % (n_vid, len(videos)))
        if self.check_media:
            seen = self.media
            for p in images:
                # Each distinct path is checked once; most records name one already seen.
                r = seen.get(p, MISSING)
                if r is MISSING:
                    r = self.media_problem(p, False)
                if r is not None:
                    return None, ("image-" + r[0], "%s %s" % (p, r[1]))
            for p in videos:
                r = self.media_problem(p, True)
                if r is not None:
                    return None, ("video-" + r[0], "%s %s" % (p, r[1]))
        self.n_images += len(images)
        self.n_videos += len(videos)
        out = ["{"]
        rid = rec.get("id", MISSING)
        if rid is not MISSING:
            out.append('"id": %s, ' % ANY(rid))
        system = rec.get(sname) if sname else None
        if type(system) is str and self.sys_key:
            out.append("%s: %s, " % (S(self.sys_key), S(system)))
        pj = self.path_json
        if self.target == "ocr":
            # DeepSeek-OCR's OCRDataset reads conversations[0] (prompt, images[0]) and conversations[1] (answer)
            # and adds the <image> token itself.
            if len(messages) != 2 or messages[0][0] != "user" or len(images) != 1 or videos:
                return None, ("ocr-shape", "DeepSeek-OCR reads one user turn with one image and one answer (%d turn(s), %d image(s), %d video(s))" % (len(messages), len(images), len(videos)))
            prompt = messages[0][1].replace("<image>\n", "").replace("<image>", "").strip()
            out.append('"conversations": [{"role": "<|User|>", "content": %s, "images": [%s]}, ' % (S(prompt), pj(images[0])))
            out.append('{"role": "<|Assistant|>", "content": %s}]}' % S(messages[1][1]))
            return "".join(out), None
        if self.target == "conversation":
            if images:
                out.append('"image": %s, ' % (pj(images[0]) if len(images) == 1 else "[" + ", ".join(map(pj, images)) + "]"))
            if videos:
                out.append('"video": %s, ' % (pj(videos[0]) if len(videos) == 1 else "[" + ", ".join(map(pj, videos)) + "]"))
            out.append('"conversations": ')
            out.append(messages)
            out.append("}")
        else:
            out.append(S(self.turns_key) + ": ")
            out.append(messages)
            if self.img_key:
                out.append(", %s: [%s]" % (S(self.img_key), ", ".join(map(pj, images))))
            if videos and self.vid_key:
                out.append(", %s: [%s]" % (S(self.vid_key), ", ".join(map(pj, videos))))
            out.append("}")
        return "".join(out), None


TMP_AT = []


def open_tmp_nofollow(tmp):
    """Creates tmp (new, never through a symlink) in its directory, opened one component at a time with O_NOFOLLOW:
    a directory swapped for a symlink after the path was checked is refused, not followed."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
    parent, name = os.path.split(os.path.abspath(tmp))
    fd = os.open("/", flags)
    try:
        for part in [p for p in parent.split("/") if p]:
            nxt = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except OSError as e:
        os.close(fd)
        raise Fatal("cannot open the output directory %s without following a symbolic link: %s" % (parent, e.strerror))
    new = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    out_fd = os.open(name, new, 0o644, dir_fd=fd)
    TMP_AT.append((fd, name))
    return os.fdopen(out_fd, "w", encoding="utf-8", buffering=CHUNK)


def unlink_tmp():
    while TMP_AT:
        fd, name = TMP_AT.pop()
        try:
            os.unlink(name, dir_fd=fd)
        except OSError:
            pass
        os.close(fd)


def main():
    max_problems = A["maxProblems"]
    inp = os.path.expanduser(A["input"])
    if not os.path.isfile(inp):
        raise Fatal("input %s does not exist or is not a file" % A["input"])
    total = os.path.getsize(inp)
    c = first_char(inp)
    container = "json" if c == "[" else "jsonl" if c == "{" else None
    if container is None:
        raise Fatal("input is neither a JSON array nor JSON Lines (starts with %s)" % json.dumps(c or "nothing"))
    out_fmt = A.get("outputFormat") or container
    out = None
    tmp = A.get("tmp")
    if tmp:
        final = os.path.expanduser(A["output"])
        if os.path.isdir(final):
            raise Fatal("output %s is a directory" % A["output"])
        if os.path.exists(final) and not A["overwrite"]:
            raise Fatal("output %s already exists; pass overwrite: true to replace it" % A["output"])
        if not os.path.isdir(os.path.dirname(os.path.abspath(final))):
            raise Fatal("output directory %s does not exist" % os.path.dirname(A["output"]))
        out = open_tmp_nofollow(os.path.expanduser(tmp))
    problems = []
    counts = {}
    n = valid = written = 0
    first = None
    broken = False
    skip_invalid = A["skipInvalid"]
    convert = Converter()
    last = [0.0]
    sep = "\n" if out_fmt == "jsonl" else ",\n"
    batch = []

    def progress(nbytes, count):
        now = time.time()
        if now - last[0] >= 0.5:
            last[0] = now
            emit("P", "%d %d %d" % (nbytes, total, count))

    with open(inp, "rb") as fb:
        gen = records_array(fb, progress) if container == "json" else records_jsonl(fb, progress)
        for index, rec, err in gen:
            n += 1
            text, problem = (None, ("json", err)) if err else convert(rec)
            if problem is not None:
                kind, msg = problem
                counts[kind] = counts.get(kind, 0) + 1
                if len(problems) < max_problems:
                    problems.append({"index": index, "kind": kind, "message": msg})
                if not skip_invalid:
                    broken = True
                continue
            valid += 1
            if first is None:
                first = json.loads(text)
            if out is not None and not broken:
                batch.append(text)
                if len(batch) >= 512:
                    out.write(("[\n" if written == 0 and out_fmt == "json" else sep if out_fmt == "json" else "") + sep.join(batch) + ("\n" if out_fmt == "jsonl" else ""))
                    written += len(batch)
                    batch = []
    if out is not None and batch and not broken:
        out.write(("[\n" if written == 0 and out_fmt == "json" else sep if out_fmt == "json" else "") + sep.join(batch) + ("\n" if out_fmt == "jsonl" else ""))
        written += len(batch)
    emit("P", "%d %d %d" % (total, total, n))
    kept = False
    if out is not None:
        if out_fmt == "json":
            out.write("\n]\n" if written else "[]\n")
        out.close()
        kept = not broken and written > 0
        if not kept:
            unlink_tmp()
            written = 0
    try:
        import resource
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_kb = rss // 1024 if sys.platform == "darwin" else rss
    except Exception:
        peak_kb = None
    return {
        "container": container,
        "outputFormat": out_fmt if out is not None else None,
        "records": n,
        "valid": valid,
        "invalid": n - valid,
        "written": written,
        "images": convert.n_images,
        "videos": convert.n_videos,
        "distinctMediaChecked": len(convert.media),
        "recordFormats": convert.formats,
        "problems": problems,
        "problemCounts": counts,
        "firstRecord": first,
        "tmpKept": kept,
        "peakRssKb": peak_kb,
        "seconds": round(time.time() - START, 3),
    }


def stop(signum, frame):
    raise SystemExit("stopped by signal %d" % signum)


for _sig in ("SIGTERM", "SIGHUP", "SIGINT"):
    if hasattr(signal, _sig):
        signal.signal(getattr(signal, _sig), stop)

try:
    emit("R", json.dumps(main()))
except BaseException as e:
    unlink_tmp()
    msg = str(e) if isinstance(e, Fatal) else "%s: %s" % (type(e).__name__, e)
    emit("R", json.dumps({"fatal": msg}))
    sys.exit(2)
`;
