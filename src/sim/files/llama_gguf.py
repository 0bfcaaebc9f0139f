"""gguf-py stand-in of the simulated CUDA host's llama.cpp clone: reads and writes GGUF v3 files as
ggml/include/gguf.h lays them out (little-endian; "GGUF", version, tensor count, KV count, the KVs, the tensor infos,
then the tensor data aligned to general.alignment, 32 by default)."""
import struct

GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
GGUF_DEFAULT_ALIGNMENT = 32


class GGUFValueType:
    UINT8 = 0
    INT8 = 1
    UINT16 = 2
    INT16 = 3
    UINT32 = 4
    INT32 = 5
    FLOAT32 = 6
    BOOL = 7
    STRING = 8
    ARRAY = 9
    UINT64 = 10
    INT64 = 11
    FLOAT64 = 12


_SCALAR = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class GGMLQuantizationType:
    F32 = 0
    F16 = 1
    Q4_0 = 2
    Q4_1 = 3
    Q5_0 = 6
    Q5_1 = 7
    Q8_0 = 8
    Q2_K = 10
    Q3_K = 11
    Q4_K = 12
    Q5_K = 13
    Q6_K = 14
    BF16 = 30


# (elements per block, bytes per block) of each tensor type (ggml.c's type_traits).
GGML_QUANT_SIZES = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
                    8: (32, 34), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210)}


def tensor_nbytes(dims, ggml_type):
    n = 1
    for d in dims:
        n *= d
    block, size = GGML_QUANT_SIZES[ggml_type]
    if dims[0] % block:
        raise ValueError("row of %d elements is not a multiple of the block size %d" % (dims[0], block))
    return n // block * size


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(vtype, value):
    if vtype == GGUFValueType.STRING:
        return _string(value)
    if vtype == GGUFValueType.ARRAY:
        itype, items = value
        out = struct.pack("<IQ", itype, len(items))
        return out + b"".join(_value(itype, v) for v in items)
    return struct.pack(_SCALAR[vtype], value)


def _pad(n, align):
    return (align - n % align) % align


class GGUFWriter:
    """kvs: [(key, value type, value)], arrays as (ARRAY, (item type, [items])); tensors: [(name, dims, type, bytes)]."""

    def __init__(self, path):
        self.path = path
        self.kvs = []
        self.tensors = []

    def add(self, key, vtype, value):
        self.kvs.append((key, vtype, value))

    def add_tensor(self, name, dims, ggml_type, data):
        if len(data) != tensor_nbytes(dims, ggml_type):
            raise ValueError("tensor %s: %d bytes for %s of type %d" % (name, len(data), dims, ggml_type))
        self.tensors.append((name, list(dims), ggml_type, data))

    def write(self):
        align = GGUF_DEFAULT_ALIGNMENT
        head = GGUF_MAGIC + struct.pack("<IQQ", GGUF_VERSION, len(self.tensors), len(self.kvs))
        head += b"".join(_string(k) + struct.pack("<I", t) + _value(t, v) for k, t, v in self.kvs)
        offset = 0
        infos = b""
        for name, dims, ggml_type, data in self.tensors:
            infos += _string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            infos += struct.pack("<IQ", ggml_type, offset)
            offset += len(data) + _pad(len(data), align)
        out = head + infos
        out += b"\0" * _pad(len(out), align)
        for _, _, _, data in self.tensors:
            out += data + b"\0" * _pad(len(data), align)
        with open(self.path, "wb") as f:
            f.write(out)


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ValueError("unexpected end of file at byte %d" % self.pos)
        v = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take("<Q")
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def value(self, vtype):
        if vtype == GGUFValueType.STRING:
            return self.string()
        if vtype == GGUFValueType.ARRAY:
            itype, n = self.take("<I"), self.take("<Q")
            return (itype, [self.value(itype) for _ in range(n)])
        return self.take(_SCALAR[vtype])


class GGUFReader:
    """Reads a whole GGUF file: .kvs as the writer takes them, .tensors with their data."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != GGUF_MAGIC:
            raise ValueError("%s: invalid magic characters %r" % (path, data[:4]))
        r = _Reader(data)
        r.pos = 4
        version = r.take("<I")
        if version not in (2, 3):
            raise ValueError("%s: unsupported GGUF version %d" % (path, version))
        n_tensors, n_kv = r.take("<Q"), r.take("<Q")
        self.kvs = []
        for _ in range(n_kv):
            key = r.string()
            vtype = r.take("<I")
            self.kvs.append((key, vtype, r.value(vtype)))
        infos = []
        for _ in range(n_tensors):
            name = r.string()
            dims = [r.take("<Q") for _ in range(r.take("<I"))]
            infos.append((name, dims, r.take("<I"), r.take("<Q")))
        start = r.pos + _pad(r.pos, GGUF_DEFAULT_ALIGNMENT)
        self.tensors = []
        for name, dims, ggml_type, offset in infos:
            n = tensor_nbytes(dims, ggml_type)
            if start + offset + n > len(data):
                raise ValueError("%s: tensor '%s' data is not within the file bounds" % (path, name))
            self.tensors.append((name, dims, ggml_type, data[start + offset:start + offset + n]))

    def get(self, key):
        for k, _, v in self.kvs:
            if k == key:
                return v
        return None
