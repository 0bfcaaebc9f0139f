# The simulated host's Python reports the version its MindSpeed-MM release documents (ascend-train sim): the venv is
# built on this machine's python3, whose minor version may differ. Loaded at start-up by a .pth file in the venv's
# site-packages; @@PYTHON_MINOR@@ is filled in when the host is laid out. Only the reported version changes.
import collections
import sys

_WANT = tuple(int(x) for x in "@@PYTHON_MINOR@@".split("."))
if tuple(sys.version_info[:2]) != _WANT:
    _real = sys.version_info
    sys.version_info = collections.namedtuple("version_info", "major minor micro releaselevel serial")(
        _WANT[0], _WANT[1], _real.micro, _real.releaselevel, _real.serial
    )
    sys.version = "%d.%d.%d%s" % (_WANT[0], _WANT[1], _real.micro, sys.version[sys.version.find(" "):])
