// Python readers for the host program (see host-script.ts): a streaming JSON array parser, a JSON Lines reader,
// and a JPEG/PNG header check that reads a few bytes per image, never the whole file.

export const READERS = String.raw`SEP = re.compile(r"[ \t\r\n]*,[ \t\r\n]*")


def records_array(fb, progress):
    """Yields (index, record, None) for each element of a top-level JSON array, holding about one chunk in memory."""
    scan = json.JSONDecoder().scan_once
    udec = codecs.getincrementaldecoder("utf-8-sig")()
    st = {"buf": "", "eof": False, "read": 0}

    def more():
        raw = fb.read(CHUNK)
        st["read"] += len(raw)
        st["eof"] = not raw
        st["buf"] += udec.decode(raw, final=not raw)

    def skip_ws(pos):
        while True:
            buf = st["buf"]
            n = len(buf)
            while pos < n and buf[pos] in " \t\r\n":
                pos += 1
            if pos < n or st["eof"]:
                return pos
            more()

    pos = skip_ws(0)
    if st["buf"][pos:pos + 1] != "[":
        raise Fatal("not a JSON array (first character is not '[')")
    pos = skip_ws(pos + 1)
    if st["buf"][pos:pos + 1] == "]":
        return
    index = 0
    sep = SEP.match
    buf = st["buf"]
    while True:
        try:
            obj, end = scan(buf, pos)
            if end >= len(buf) and not st["eof"]:
                raise ValueError("the value may continue in the next chunk")
        except (ValueError, StopIteration) as e:
            if st["eof"]:
                raise Fatal("invalid JSON in record %d: %s" % (index, e if isinstance(e, ValueError) else "expecting a value"))
            if len(buf) - pos > MAX_RECORD:
                raise Fatal("record %d is larger than %d MiB or is not valid JSON" % (index, MAX_RECORD >> 20))
            st["buf"] = buf[pos:]
            pos = 0
            more()
            buf = st["buf"]
            continue
        yield index, obj, None
        index += 1
        if index & 255 == 0:
            progress(st["read"], index)
        m = sep(buf, end)
        if m is not None and m.end() < len(buf):
            pos = m.end()
            continue
        st["buf"] = buf[end:]
        pos = skip_ws(0)
        buf = st["buf"]
        c = buf[pos:pos + 1]
        if c == ",":
            pos = skip_ws(pos + 1)
            buf = st["buf"]
        elif c == "]":
            while not st["eof"]:
                more()
            if st["buf"][pos + 1:].strip():
                raise Fatal("unexpected data after the closing ']' of the array")
            return
        else:
            raise Fatal("expected ',' or ']' after record %d, found %s" % (index - 1, json.dumps(c or "end of file")))


def records_jsonl(fb, progress):
    """Yields (index, record, error) per non-blank line; a bad line is a problem for that record, not the end."""
    read = 0
    index = 0
    loads = json.loads
    for lineno, line in enumerate(fb, 1):
        read += len(line)
        if lineno == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[3:]
        if not line.strip():
            continue
        try:
            obj = loads(line.decode("utf-8"))
            err = None
        except ValueError as e:
            obj, err = None, "line %d is not valid JSON: %s" % (lineno, e)
        yield index, obj, err
        index += 1
        if index & 255 == 0:
            progress(read, index)


def first_char(path):
    with open(path, "rb") as fb:
        while True:
            raw = fb.read(4096)
            if not raw:
                return ""
            s = raw.lstrip(codecs.BOM_UTF8).lstrip()
            if s:
                return chr(s[0])


def image_problem(path):
    """None when path is a readable JPEG/PNG with sane dimensions, else why not. Reads headers only."""
    # Non-blocking open, then fstat: a FIFO (or device) named as an image is refused, never waited on.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return "missing", "not found"
    except IsADirectoryError:
        return "unreadable", "is a directory"
    except OSError as e:
        return "unreadable", "cannot be opened (%s)" % (e.strerror or e)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        return "unreadable", "is a directory" if stat.S_ISDIR(mode) else "is not a regular file (FIFO, device or socket)"
    fh = os.fdopen(fd, "rb")
    with fh:
        head = fh.read(32)
        if not head:
            return "unreadable", "is empty"
        if head.startswith(PNG_SIG):
            if len(head) < 24 or head[12:16] != b"IHDR":
                return "unreadable", "PNG header is truncated"
            w, h = struct.unpack(">II", head[16:24])
        elif head.startswith(b"\xff\xd8"):
            w = h = None
            fh.seek(2)
            for _ in range(512):
                b = fh.read(1)
                while b == b"\xff":
                    b = fh.read(1)
                if not b:
                    break
                m = b[0]
                if m == 0x01 or 0xD0 <= m <= 0xD8:
                    continue
                if m == 0xD9 or m == 0xDA:
                    break
                ln = fh.read(2)
                if len(ln) < 2:
                    break
                size = struct.unpack(">H", ln)[0]
                if m in SOF:
                    seg = fh.read(5)
                    if len(seg) == 5:
                        h, w = struct.unpack(">HH", seg[1:5])
                    break
                fh.seek(size - 2, 1)
            if w is None:
                return "unreadable", "JPEG has no frame header (truncated or corrupt)"
        elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "format", "is a WebP image, not JPEG/PNG"
        elif head[:4] in (b"GIF8",):
            return "format", "is a GIF image, not JPEG/PNG"
        elif head[:2] == b"BM":
            return "format", "is a BMP image, not JPEG/PNG"
        else:
            return "format", "is not a JPEG or PNG file"
        if not w or not h:
            return "unreadable", "has zero width or height (%sx%s)" % (w, h)
    return None


`;
