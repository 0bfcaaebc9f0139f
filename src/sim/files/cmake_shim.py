#!/usr/bin/env python3
"""cmake stand-in of the simulated CUDA host: configures (-S <src> -B <build>: checks CMakeLists.txt, writes
CMakeCache.txt naming the source) and builds (--build <build> --target T) the llama.cpp target GGUF export needs,
llama-quantize, from the clone's stand-in source; other targets fail the way make does."""
import os
import shutil
import sys

TARGETS = {"llama-quantize": "tools/quantize/quantize.py"}


def value(argv, flag):
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag) and len(a) > len(flag):
            return a[len(flag):]
    return None


def build(argv):
    out = argv[1] if len(argv) > 1 else ""
    cache = os.path.join(out, "CMakeCache.txt")
    if not os.path.isfile(cache):
        sys.stderr.write("Error: could not load cache\n")
        return 1
    with open(cache) as f:
        src = next((line.split("=", 1)[1].strip() for line in f if line.startswith("CMAKE_HOME_DIRECTORY")), "")
    target = value(argv, "--target") or "all"
    for name in TARGETS if target == "all" else [target]:
        if name not in TARGETS:
            sys.stderr.write("make: *** No rule to make target '%s'.  Stop.\n" % name)
            return 2
        os.makedirs(os.path.join(out, "bin"), exist_ok=True)
        dest = os.path.join(out, "bin", name)
        shutil.copyfile(os.path.join(src, TARGETS[name]), dest)
        os.chmod(dest, 0o755)
        print("[100%%] Built target %s" % name)
    return 0


def configure(argv):
    src, out = value(argv, "-S"), value(argv, "-B")
    if not src or not os.path.isfile(os.path.join(src, "CMakeLists.txt")):
        sys.stderr.write('CMake Error: The source directory "%s" does not appear to contain CMakeLists.txt.\n' % src)
        return 1
    out = out or os.getcwd()
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "CMakeCache.txt"), "w") as f:
        f.write("CMAKE_HOME_DIRECTORY:INTERNAL=%s\n" % os.path.abspath(src))
    print("-- The C compiler identification is GNU 13.3.0")
    print("-- Configuring done (0.1s)")
    print("-- Generating done (0.0s)")
    print("-- Build files have been written to: %s" % os.path.abspath(out))
    return 0


def main(argv):
    if argv[:1] == ["--version"]:
        print("cmake version 3.28.3\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).")
        return 0
    if argv[:1] == ["--build"]:
        return build(argv)
    return configure(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
