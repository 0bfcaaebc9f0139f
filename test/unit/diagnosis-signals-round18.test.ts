// Signals of the eighteenth round, written from the tune side of the sixteenth collection and from the messages'
// sources: the NVIDIA kernel driver's Xid reports of a card failing, Python's ImportError naming a module found in the
// working tree, and nanotron's per-rank parameter count of 0 on a pipeline rank. Each is diagnosed by the rules alone.
// And two readings: a runtime code wrapped onto the line after its lead-in, and CPython's built-in messages, whose
// words decide no public case.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { nearestCases, setKnownCaseFilter, sharesMoreThanNames } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("a GPU failing, in the NVIDIA kernel driver's words", () => {
  it("Xid 79 (fallen off the bus) and the ECC Xids are a card fault, with the faulty-card fixes only", () => {
    for (const line of [
      "[Tue Apr  9 01:21:38 2024] NVRM: Xid (PCI:0000:a1:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      "[ 4021.118911] NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.",
      "[ 812.22] NVRM: Xid (PCI:0000:07:00): 48, pid=2231, name=python, An uncorrectable double bit error (DBE) has been detected on GPU",
      "[ 90.1] NVRM: Xid (PCI:0000:ca:00): 95, pid=11, name=python, Uncontained: FBHUB. RST: Yes, D-RST: No",
    ]) {
      const f = top(line);
      expect(f.category, line).toBe("device_p2p_driver_error");
      expect(f.fixes.map((x) => x.id)).toEqual(["check-ecc", "exclude-card"]);
    }
  });

  it("an Xid the program causes (13: a graphics exception, 31: a memory page fault) is not a card fault", () => {
    for (const line of [
      "NVRM: Xid (PCI:0000:a1:00): 13, Graphics SM Warp Exception on (GPC 0, TPC 0, SM 0)",
      "NVRM: Xid (PCI:0000:a1:00): 31, pid=1234, name=python, Ch 00000008, intr 10000000. MMU Fault",
    ])
      expect(top(line).category).not.toBe("device_p2p_driver_error");
  });
});

describe("a package found in the working tree", () => {
  const importError = (path: string) => `ImportError: cannot import name 'Dataset' from 'datasets' (${path})`;

  it("a path relative to the working directory, outside site-packages, is a local folder shadowing the package", () => {
    for (const path of ["./torchtitan/datasets/__init__.py", "FE-LSD/network/datasets/__init__.py", "datasets.py"])
      expect(top(importError(path)).category, path).toBe("import_from_source_dir");
    // The fix names the package and asks to rename the local namesake first.
    const f = top(importError("./myproj/datasets/__init__.py"));
    expect(f.fixes.map((x) => x.id)).toEqual(["rename-local", "cd-away"]);
    expect(f.fixes[0]!.commands).toEqual(['python -c "import datasets; print(datasets.__file__)"']);
    // A source tree whose compiled part is missing is no namesake: only "run from elsewhere".
    expect(top("ModuleNotFoundError: No module named 'torch_npu._C'").fixes.map((x) => x.id)).toEqual(["cd-away"]);
  });

  it("an installed package, an absolute or elided path, or Python's unknown location is not read so", () => {
    for (const path of [
      "/usr/local/lib/python3.10/dist-packages/datasets/__init__.py",
      ".../env/lib/python3.12/site-packages/datasets/__init__.py",
      "./venv/lib/python3.10/site-packages/datasets/__init__.py",
      "~/miniconda3/lib/python3.10/site-packages/datasets/__init__.py",
      "/home/u/src/datasets/src/datasets/__init__.py",
      "C:\\Users\\u\\datasets\\__init__.py",
      "unknown location",
    ])
      expect(top(importError(path)).category, path).not.toBe("import_from_source_dir");
  });
});

describe("a pipeline stage without layers, in nanotron's words", () => {
  it("a pipeline rank that counts 0 local parameters is an empty stage; one with parameters is not", () => {
    const rank = (n: string) =>
      `[default4]:03/16/2024 09:10:16 [INFO|DP=0|PP=1|TP=0]: Local number of parameters: ${n}`;
    expect(top(rank("0 (0.00MiB)")).category).toBe("empty_pp_stage");
    expect(top(rank("1.21G (2304.00MiB)")).category).not.toBe("empty_pp_stage");
  });
});

describe("samples a chat template cannot read", () => {
  it("the template's own check of alternating roles is a dataset that does not match what the loader expects", () => {
    for (const line of [
      "jinja2.exceptions.TemplateError: Conversation roles must alternate user/assistant/user/assistant/...",
      "jinja2.exceptions.TemplateError: After the optional system message, conversation roles must alternate user/assistant/user/assistant/...",
    ])
      expect(top(line).category, line).toBe("dataset_key_error");
  });
});

describe("ranks that cannot reach each other", () => {
  it("c10d's client timing out on the rendezvous address, and Gloo's mesh not connecting, are a communication failure", () => {
    for (const line of [
      "[W socket.cpp:663] [c10d] The client socket has failed to connect to [::ffff:255.255.0.0]:29500 (errno: 110 - Connection timed out).",
      "RuntimeError: Gloo connectFullMesh failed with [../third_party/gloo/gloo/transport/tcp/pair.cc:144] no error",
    ])
      expect(top(line).category, line).toBe("hccl_timeout");
  });

  it("the fix is the rendezvous address, never longer timeouts; a collective that timed out keeps the timeouts", () => {
    const unreachable = top(
      "[W socket.cpp:663] [c10d] The client socket has failed to connect to [::ffff:10.0.0.9]:29500 (errno: 110 - Connection timed out).",
    );
    expect(unreachable.fixes.map((x) => x.id)).toContain("reach-master");
    expect(unreachable.fixes.map((x) => x.id)).not.toContain("raise-timeouts");
    const slow = top(
      "[E ProcessGroupNCCL.cpp:414] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1, OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1800405 milliseconds before timing out.",
    );
    expect(slow.category).toBe("hccl_timeout");
    expect(slow.fixes.map((x) => x.id)).toContain("raise-timeouts");
    expect(slow.fixes.map((x) => x.id)).not.toContain("reach-master");
  });

  it("a port another process holds stays a port in use, whatever the client then prints", () => {
    const log = [
      "torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. port: 33649, useIpv6: false, code: -98, name: EADDRINUSE, message: address already in use",
      "[W820 18:57:52.292435752 socket.cpp:764] [c10d] The client socket has failed to connect to [localhost]:33649 (errno: 99 - Cannot assign requested address).",
    ].join("\n");
    expect(top(log).category).toBe("port_in_use");
  });
});

describe("a runtime code wrapped onto the next line", () => {
  it("is read with its lead-in, on the lead-in's line", () => {
    const v = diagnoseText(
      [
        "EH9999[PID: 7] wait for compute device to finish failed, runtime result =",
        "507035.",
        "RuntimeError: NPU is selected as device, but torch_npu is not available.",
      ].join("\n"),
    );
    const code = v.codes.find((c) => c.code === "507035");
    expect(code?.line).toBe(1);
    expect(code?.meaning).toMatch(/VECTOR_CORE_EXCEPTION/);
  });

  it("a number on a line of its own, after a line that is no lead-in, is no code", () => {
    const v = diagnoseText(["iteration 500 done, samples seen =", "507035", "loss 1.2"].join("\n"));
    expect(v.codes.map((c) => c.code)).not.toContain("507035");
  });
});

describe("CPython's built-in messages", () => {
  it("share nothing with a public case that could decide it: a bare ZeroDivisionError is not a known case", () => {
    setKnownCaseFilter(undefined);
    try {
      const near = nearestCases(["ZeroDivisionError: division by zero"], 12, 0.1);
      expect(near.length).toBeGreaterThan(0);
      for (const c of near) expect(sharesMoreThanNames(c), c.url).toBe(false);
      // With a line of its own beside it, the log's words count again.
      const more = nearestCases(["ZeroDivisionError: division by zero", "Error: ShardCannotStart"], 12, 0.1);
      expect(more.some((c) => sharesMoreThanNames(c))).toBe(true);
    } finally {
      setKnownCaseFilter(() => false, { upstreamMessages: false });
    }
  });
});
