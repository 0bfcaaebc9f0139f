// Driver, CANN toolkit and NNAL trees of the simulated host, with set_env.sh scripts pointing inside it.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { type SimStack, usesCannLayout } from "./releases.js";
import { writeTree } from "./util.js";

const PLACEHOLDER = "ascend-train sim placeholder library\n";

export function simArch(): string {
  return process.arch === "arm64" ? "aarch64" : "x86_64";
}

/** Where the toolkit's `latest` home is, and its set_env.sh, for a stack under `ascendRoot`. */
export function cannPaths(ascendRoot: string, stack: SimStack) {
  if (usesCannLayout(stack.cann)) {
    return {
      home: join(ascendRoot, "cann"),
      versionDir: join(ascendRoot, `cann-${stack.cann}`),
      setEnv: join(ascendRoot, "cann", "set_env.sh"),
    };
  }
  return {
    home: join(ascendRoot, "ascend-toolkit", "latest"),
    versionDir: join(ascendRoot, "ascend-toolkit", stack.cann),
    setEnv: join(ascendRoot, "ascend-toolkit", "set_env.sh"),
  };
}

function driverInfo(v: string): string {
  return [
    `Version=${v}`,
    "ascendhal_version=7.35.23",
    "aicpu_version=1.0",
    "tdt_version=1.0",
    "log_version=1.0",
    "prof_version=2.0",
    "dvppkernels_version=1.1",
    "tsfw_version=1.0",
    "Innerversion=V100R001C21SPC002B220",
    "compatible_version=[V100R001C17],[V100R001C18],[V100R001C19],[V100R001C20],[V100R001C21]",
    "compatible_version_fw=[7.0.0,7.7.99]",
    `package_version=${v}`,
    "",
  ].join("\n");
}

/** Each `export NAME=value` with its value in double quotes: a simulated host laid out under a path with a space. */
function quoteExports(script: string): string {
  return script.replace(/^export (\w+)=(.*)$/gm, (_, name: string, value: string) => `export ${name}="${value}"`);
}

function toolkitSetEnv(home: string, driver: string, arch: string): string {
  const H = home;
  return quoteExports(`# CANN toolkit environment of the simulated Ascend host (ascend-train sim).
export LD_LIBRARY_PATH=${driver}/lib64:${driver}/lib64/common:${driver}/lib64/driver:$LD_LIBRARY_PATH
export ASCEND_TOOLKIT_HOME=${H}
export LD_LIBRARY_PATH=${H}/lib64:${H}/lib64/plugin/opskernel:${H}/lib64/plugin/nnengine:${H}/opp/built-in/op_impl/ai_core/tbe/op_tiling/lib/linux/${arch}:$LD_LIBRARY_PATH
export LD_LIBRARY_PATH=${H}/tools/aml/lib64:${H}/tools/aml/lib64/plugin:$LD_LIBRARY_PATH
export PYTHONPATH=${H}/python/site-packages:${H}/opp/built-in/op_impl/ai_core/tbe:$PYTHONPATH
export PATH=${H}/bin:${H}/compiler/ccec_compiler/bin:${H}/tools/ccec_compiler/bin:$PATH
export ASCEND_AICPU_PATH=${H}
export ASCEND_OPP_PATH=${H}/opp
export TOOLCHAIN_HOME=${H}/toolkit
export ASCEND_HOME_PATH=${H}
`);
}

function atbSetEnv(atbHome: string): string {
  return quoteExports(`# NNAL/ATB environment of the simulated Ascend host (ascend-train sim).
export ATB_HOME_PATH=${atbHome}
export LD_LIBRARY_PATH=${atbHome}/lib:${atbHome}/examples:${atbHome}/tests/atbopstest:$LD_LIBRARY_PATH
export PATH=${atbHome}/bin:$PATH
export ATB_STREAM_SYNC_EVERY_KERNEL_ENABLE=0
export ATB_STREAM_SYNC_EVERY_RUNNER_ENABLE=0
export ATB_STREAM_SYNC_EVERY_OPERATION_ENABLE=0
export ATB_OPSRUNNER_SETUP_CACHE_ENABLE=1
export ATB_OPSRUNNER_KERNEL_CACHE_LOCAL_COUNT=1
export ATB_OPSRUNNER_KERNEL_CACHE_GLOABL_COUNT=5
export ATB_WORKSPACE_MEM_ALLOC_GLOBAL=1
export ATB_WORKSPACE_MEM_ALLOC_ALG_TYPE=1
export ATB_DEVICE_TILING_BUFFER_BLOCK_NUM=32
export ATB_HOST_TILING_BUFFER_BLOCK_NUM=128
export ATB_COMPARE_TILING_EVERY_KERNEL=0
export ATB_MATMUL_SHUFFLE_K_ENABLE=1
export ATB_SHARE_MEMORY_NAME_SUFFIX=
`);
}

export async function layOutCann(
  dir: string,
  stack: SimStack,
): Promise<{ ascendRoot: string; home: string; setEnv: string }> {
  const arch = simArch();
  const ascendRoot = join(dir, "usr", "local", "Ascend");
  const driver = join(ascendRoot, "driver");
  const { home, versionDir, setEnv } = cannPaths(ascendRoot, stack);
  const infoPath = join(versionDir, `${arch}-linux`);
  const install = [
    "package_name=Ascend-cann-toolkit",
    `version=${stack.cann}`,
    `innerversion=${stack.cannInner}`,
    "compatible_version=[V100R001C15],[V100R001C18],[V100R001C19],[V100R001C20],[V100R001C21],[V100R001C23]",
    `arch=${arch}`,
    "os=linux",
    `path=${infoPath}`,
    "",
  ].join("\n");
  const nnalVer = join(ascendRoot, "nnal", "atb", stack.cann);
  await writeTree(ascendRoot, {
    "driver/version.info": driverInfo(stack.driver),
    "driver/lib64/driver/libascend_hal.so": PLACEHOLDER,
    "driver/lib64/common/libc_sec.so": PLACEHOLDER,
  });
  await writeTree(versionDir, {
    [`${arch}-linux/ascend_toolkit_install.info`]: install,
    "lib64/libhccl.so": PLACEHOLDER,
    "lib64/libascendcl.so": PLACEHOLDER,
    "lib64/libruntime.so": PLACEHOLDER,
    "lib64/plugin/opskernel/libfe.so": PLACEHOLDER,
    "python/site-packages/acl/__init__.py": '"""AscendCL Python binding (ascend-train sim stand-in)."""\n',
    "opp/version.info": `Version=${stack.cann}\n`,
    "bin/.keep": "",
    "toolkit/.keep": "",
  });
  await writeTree(nnalVer, {
    "atb/cxx_abi_1/lib/libatb.so": PLACEHOLDER,
    "atb/cxx_abi_0/lib/libatb.so": PLACEHOLDER,
    "version.info": `Version=${stack.cann}\n`,
  });
  const atbHome = join(ascendRoot, "nnal", "atb", "latest", "atb", "cxx_abi_1");
  await symlink(stack.cann, join(ascendRoot, "nnal", "atb", "latest"));
  await writeTree(join(ascendRoot, "nnal", "atb"), { "set_env.sh": atbSetEnv(atbHome) });
  if (usesCannLayout(stack.cann)) {
    await symlink(`cann-${stack.cann}`, home);
  } else {
    await mkdir(join(ascendRoot, "ascend-toolkit"), { recursive: true });
    await symlink(stack.cann, home);
  }
  await writeTree(ascendRoot, { [setEnv.slice(ascendRoot.length + 1)]: toolkitSetEnv(home, driver, arch) });
  return { ascendRoot, home, setEnv };
}
