/**
 * Decoding of the job event lines `lua/_observe.lua` writes to the namespace's stream (one entry
 * per script call: `t` its time, `e` its lines).
 *
 * @module
 */
import { LANES } from "../../job/lanes.ts";
import { parseError, type StoredEvent } from "../observations.ts";
import { stateOfLetter } from "./job_fields.ts";

/** The events of one stream entry (`at`: its time) with ids `<entryId>/<index>`. */
export function decodeEventLines(entryId: string, at: number, lines: string): StoredEvent[] {
  return lines.split("\n").map((line, i) => decodeEventLine(`${entryId}/${i}`, at, line));
}

function decodeEventLine(id: string, at: number, line: string): StoredEvent {
  const [type, jobId, name, queue, lane, ...rest] = line.split("\t");
  const base = { id: jobId!, name: name!, queue: queue!, lane: LANES[Number(lane)]!, at };
  const n = (i: number): number => Number(rest[i]);
  switch (type) {
    case "enqueued":
      return { id, type, event: { ...base, state: stateOfLetter(rest[0]!), runAt: n(1) } };
    case "active":
      return { id, type, event: { ...base, attempt: n(0), worker: rest[1]!, waitMs: n(2) } };
    case "completed":
      return { id, type, event: { ...base, attempt: n(0), durationMs: n(1) } };
    case "failed":
      return {
        id,
        type,
        event: {
          ...base,
          attempt: n(0),
          durationMs: n(1),
          state: stateOfLetter(rest[2]!),
          retryAt: rest[3] ? n(3) : null,
          error: parseError(rest.slice(4).join("\t")),
        },
      };
    case "progress": {
      const message = rest[2] ? JSON.parse(rest[2]) as string : undefined;
      const event = { ...base, attempt: n(0), percent: n(1) };
      return { id, type, event: message === undefined ? event : { ...event, message } };
    }
    case "cancelled":
    case "requeued":
      return { id, type, event: base };
    default:
      throw new Error(`store: unknown event type ${JSON.stringify(type)}`);
  }
}
