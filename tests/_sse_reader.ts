/**
 * Test helper: reads a server-sent event stream (a fetch or `app.request` response) into parsed
 * messages, as they come, until a condition holds.
 *
 * @module
 */

/** One message of the stream. */
export interface SseMessage {
  /** `event:` (default `message`). */
  event: string;
  /** `id:`, or null. */
  id: string | null;
  /** `data:` parsed as JSON, or null without data. */
  data: unknown;
}

/** Reads one response's messages. */
export class SseReader {
  /** Every message read so far. */
  readonly messages: SseMessage[] = [];
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #ended = false;

  /** Reads `res`'s body. */
  constructor(res: Response) {
    this.#reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** True once the server ended the stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Reads until `done(messages)` holds or the stream ends; rejects after `timeoutMs` with what
   * was read.
   */
  async until(done: (messages: SseMessage[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => void this.#reader.cancel(), timeoutMs);
    try {
      while (!done(this.messages) && !this.#ended) {
        const { value, done: end } = await this.#reader.read();
        if (end) {
          this.#ended = true;
          break;
        }
        this.#buffer += value;
        let at;
        while ((at = this.#buffer.indexOf("\n\n")) >= 0) {
          const block = this.#buffer.slice(0, at);
          this.#buffer = this.#buffer.slice(at + 2);
          if (!block.startsWith(":")) this.messages.push(parse(block));
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (!done(this.messages)) {
      throw new Error(
        `the stream ${this.#ended ? "ended" : "timed out"} after ${this.messages.length} ` +
          `messages: ${JSON.stringify(this.messages.slice(-5))}`,
      );
    }
  }

  /** The messages of event type `event`. */
  of(event: string): SseMessage[] {
    return this.messages.filter((m) => m.event === event);
  }

  /** Stops reading. */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function parse(block: string): SseMessage {
  const message: SseMessage = { event: "message", id: null, data: null };
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) message.event = line.slice(6).trim();
    else if (line.startsWith("id:")) message.id = line.slice(3).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (data) message.data = JSON.parse(data);
  return message;
}
