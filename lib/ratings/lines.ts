import { createReadStream } from "node:fs";

// Reads a text file line by line from a byte offset, knowing the byte offset after every line, so an import can
// stop after a batch and a later run can continue from exactly there. Handles a UTF-8 BOM and CRLF endings.

export type Line = { text: string; number: number; end: number };

/** A piece of the file and the lines wholly inside it: line k is bytes [starts[k], ends[k]) of `buf` (no CR/LF). */
export type LineChunk = { buf: Buffer; count: number; starts: Int32Array; ends: Int32Array; nexts: Float64Array; firstNumber: number };

const BOM = [0xef, 0xbb, 0xbf];
// Memory stays bounded by the read size plus one line; a file without line breaks is refused, not buffered whole.
const MAX_LINE_BYTES = 1 << 20;

export async function* lineChunks(path: string, opts: { start: number; firstLineNumber: number; readBytes?: number }): AsyncGenerator<LineChunk> {
  const stream = createReadStream(path, { start: opts.start, highWaterMark: opts.readBytes ?? 256 << 10 });
  let carry: Buffer | null = null;
  let offset = opts.start;
  let number = opts.firstLineNumber;
  let first = opts.start === 0;
  let starts = new Int32Array(1 << 13);
  let ends = new Int32Array(1 << 13);
  let nexts = new Float64Array(1 << 13);
  // The file's first line loses its byte order mark, whichever way it is yielded.
  const emit = (lines: LineChunk): LineChunk => {
    const out = first ? skipBom(lines) : lines;
    first = false;
    return out;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const base = offset;
      offset += chunk.length;
      let from = 0;
      // A line cut by the previous read is joined on its own, without copying the whole chunk.
      if (carry) {
        const nl = chunk.indexOf(0x0a);
        if (nl === -1) {
          carry = Buffer.concat([carry, chunk]);
          if (carry.length > MAX_LINE_BYTES) throw tooLong(number);
          continue;
        }
        yield emit(singleLine(Buffer.concat([carry, chunk.subarray(0, nl)]), base + nl + 1, number));
        carry = null;
        number++;
        from = nl + 1;
      }
      let count = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, from);
        if (nl === -1) break;
        if (count === starts.length) {
          starts = grow(starts, new Int32Array(count * 2));
          ends = grow(ends, new Int32Array(count * 2));
          nexts = grow(nexts, new Float64Array(count * 2));
        }
        starts[count] = from;
        ends[count] = nl > from && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
        nexts[count] = base + nl + 1;
        count++;
        from = nl + 1;
      }
      if (from < chunk.length) carry = Buffer.from(chunk.subarray(from));
      if (carry && carry.length > MAX_LINE_BYTES) throw tooLong(number + count);
      if (count > 0) {
        yield emit({ buf: chunk, count, starts, ends, nexts, firstNumber: number });
        number += count;
      }
    }
    if (carry && carry.length > 0) yield emit(singleLine(carry, offset, number));
  } finally {
    stream.destroy();
  }
}

/** One line held in a buffer of its own (without its newline; a trailing CR is left out too). */
function singleLine(buf: Buffer, next: number, number: number): LineChunk {
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
  return { buf, count: 1, starts: Int32Array.of(0), ends: Int32Array.of(end), nexts: Float64Array.of(next), firstNumber: number };
}

const tooLong = (number: number) => new Error(`Line ${number} is longer than ${MAX_LINE_BYTES >> 20} MB: lines must end with a newline (\\n)`);

/** The file's first line, without a UTF-8 byte order mark. */
function skipBom(chunk: LineChunk): LineChunk {
  const at = chunk.starts[0];
  if (chunk.ends[0] - at >= 3 && chunk.buf[at] === BOM[0] && chunk.buf[at + 1] === BOM[1] && chunk.buf[at + 2] === BOM[2]) chunk.starts[0] = at + 3;
  return chunk;
}

function grow<T extends Int32Array | Float64Array>(small: T, bigger: T): T {
  bigger.set(small);
  return bigger;
}

export async function* readLines(path: string, opts: { start: number; firstLineNumber: number; readBytes?: number }): AsyncGenerator<Line> {
  for await (const chunk of lineChunks(path, opts)) {
    for (let k = 0; k < chunk.count; k++) {
      yield { text: chunk.buf.toString("utf8", chunk.starts[k], chunk.ends[k]), number: chunk.firstNumber + k, end: chunk.nexts[k] };
    }
  }
}
