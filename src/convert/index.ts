// Weight conversion with mm-convert: argument shapes, planning, host checks, running and the output marker.
export { CONVERT_METHODS, type ConvertMethod, convertArgv, type ParallelLayout } from "./args.js";
export { type ConvertCheck, conversionVpp, convertChecks, DISK_FACTOR } from "./checks.js";
export { megatronLayout } from "./checks-source.js";
export { checkHfConfig, checkWeightFiles, hfConfigFacts } from "./hf-check.js";
export {
  CONVERT_MARKER,
  type ConvertMarker,
  ConvertMarkerSchema,
  markerMismatch,
  markerPath,
  parseMarker,
  readMarker,
} from "./marker.js";
export { type ConvertPlan, ConvertRefusal, type ConvertRequest, finishArgv, planConversion } from "./plan.js";
export { type ConvertHostFacts, type DirFacts, parseProbe, probeConvertHost } from "./probe.js";
export {
  conversionScript,
  displayCommand,
  failureReason,
  progressFromOutput,
  runConversion,
  tailLines,
  verifyOutput,
} from "./run.js";
