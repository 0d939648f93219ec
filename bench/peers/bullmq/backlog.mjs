/**
 * The backlog measurement: the processing measurement (process.mjs) with its parameters.
 *
 * @module
 */
export { prepare } from "./process.mjs";
