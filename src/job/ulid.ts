/**
 * Monotonic ULIDs (https://github.com/ulid/spec): 10 Crockford base-32 characters of epoch
 * milliseconds, then 16 of randomness (80 bits), drawn anew each millisecond and incremented by
 * one for every further id in the same millisecond (or while the clock stands behind the last
 * one), so ids sort in the order they were made. The same scheme as the `ulid` package's
 * `monotonicFactory`, made cheap for ids generated in bulk: the random part is kept as digits
 * and only its last two are re-encoded per id.
 *
 * @module
 */

const ENCODING = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
/** The random digits re-encoded for every id; the ones before them change once in 1,024. */
const TAIL_DIGITS = 2;
const TAIL_VALUES = 32 ** TAIL_DIGITS;
/** Every tail value as its characters. */
const TAILS = Array.from({ length: TAIL_VALUES }, (_, n) => ENCODING[n >> 5]! + ENCODING[n & 31]!);

/** A source of monotonic ULIDs, reading `now` (epoch ms) for each one. */
export function monotonicUlids(now: () => number = Date.now): () => string {
  let lastTime = -1;
  let time = "";
  const head = new Uint8Array(RANDOM_LENGTH - TAIL_DIGITS); // digits, 0 to 31
  let headText = "";
  let tail = 0;
  const redraw = (): void => {
    const random = crypto.getRandomValues(new Uint8Array(RANDOM_LENGTH));
    for (let i = 0; i < head.length; i++) head[i] = random[i]! >> 3;
    headText = digitsText(head);
    tail = (random[head.length]! >> 3) * 32 + (random[head.length + 1]! >> 3);
  };
  return () => {
    const seed = now();
    if (seed <= lastTime) {
      if (++tail === TAIL_VALUES) {
        tail = 0;
        incrementDigits(head);
        headText = digitsText(head);
      }
    } else {
      lastTime = seed;
      time = encodeTime(seed);
      redraw();
    }
    return time + headText + TAILS[tail]!;
  };
}

/** `ms` as 10 base-32 characters. */
function encodeTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 32 ** TIME_LENGTH) {
    throw new RangeError(`ULID: cannot encode time ${ms}`);
  }
  let text = "";
  for (let i = 0; i < TIME_LENGTH; i++) {
    const digit = ms % 32;
    text = ENCODING[digit]! + text;
    ms = (ms - digit) / 32;
  }
  return text;
}

/** Adds one to base-32 `digits` (most significant first); throws when all were 31. */
function incrementDigits(digits: Uint8Array): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]!++;
      return;
    }
    digits[i] = 0;
  }
  throw new RangeError("ULID: the random part overflowed within one millisecond");
}

function digitsText(digits: Uint8Array): string {
  let text = "";
  for (const digit of digits) text += ENCODING[digit];
  return text;
}
