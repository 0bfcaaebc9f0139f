// Training-log parsing and analysis: line parsers, the online accumulator, tail/incremental reads, state, charts.
export { type CurvePoint, LogAccumulator, type LogAnalysis } from "./accumulator.js";
export { curveCsv, renderLossPng, sparkline } from "./chart.js";
export { type Diagnoser, diagnoseErrorText, setDiagnoser } from "./diagnose.js";
export { extractMetrics, type LineSource, LineSplitter } from "./extract.js";
export { type FollowResult, followLog } from "./follow.js";
export { type InspectResult, inspectLog, LogNotFoundError, statFile } from "./inspect.js";
export { classifyLine, isErrorLine, parseIterationLine, parseLogNumber } from "./parse.js";
export type { RunLocation, RunResolver } from "./resolver.js";
export { decideState, type StateVerdict } from "./state.js";
export { type LogWindow, readSince, tailLines } from "./tail.js";
export type * from "./types.js";
