import { createReadStream } from "node:fs";

// Reads a text file line by line from a byte offset, knowing the byte offset after every line, so an import can
// stop after a batch and a later run can continue from exactly there. Handles a UTF-8 BOM and CRLF endings.

export type Line = { text: string; number: number; end: number };

/** A piece of the file and the lines wholly inside it: line k is bytes [starts[k], ends[k]) of `buf` (no CR/LF). */
export type LineChunk = { buf: Buffer; count: number; starts: Int32Array; ends: Int32Array; nexts: Float64Array; firstNumber: number };

const BOM = [0xef, 0xbb, 0xbf];

export async function* lineChunks(path: string, opts: { start: number; firstLineNumber: number }): AsyncGenerator<LineChunk> {
  const stream = createReadStream(path, { start: opts.start, highWaterMark: 1 << 20 });
  let carry: Buffer | null = null;
  let offset = opts.start;
  let number = opts.firstLineNumber;
  let first = opts.start === 0;
  let starts = new Int32Array(1 << 15);
  let ends = new Int32Array(1 << 15);
  let nexts = new Float64Array(1 << 15);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const base = offset - (carry?.length ?? 0);
      carry = null;
      let from = 0;
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) from = 3;
      }
      let count = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, from);
        if (nl === -1) break;
        if (count === starts.length) {
          starts = grow(starts, new Int32Array(count * 2));
          ends = grow(ends, new Int32Array(count * 2));
          nexts = grow(nexts, new Float64Array(count * 2));
        }
        starts[count] = from;
        ends[count] = nl > from && buf[nl - 1] === 0x0d ? nl - 1 : nl;
        nexts[count] = base + nl + 1;
        count++;
        from = nl + 1;
      }
      if (from < buf.length) carry = Buffer.from(buf.subarray(from));
      offset += chunk.length;
      if (count > 0) {
        yield { buf, count, starts, ends, nexts, firstNumber: number };
        number += count;
      }
    }
    if (carry && carry.length > 0) {
      const end = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
      yield { buf: carry, count: 1, starts: Int32Array.of(0), ends: Int32Array.of(end), nexts: Float64Array.of(offset), firstNumber: number };
    }
  } finally {
    stream.destroy();
  }
}

function grow<T extends Int32Array | Float64Array>(small: T, bigger: T): T {
  bigger.set(small);
  return bigger;
}

export async function* readLines(path: string, opts: { start: number; firstLineNumber: number }): AsyncGenerator<Line> {
  for await (const chunk of lineChunks(path, opts)) {
    for (let k = 0; k < chunk.count; k++) {
      yield { text: chunk.buf.toString("utf8", chunk.starts[k], chunk.ends[k]), number: chunk.firstNumber + k, end: chunk.nexts[k] };
    }
  }
}
