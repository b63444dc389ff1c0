import { createReadStream } from "node:fs";

// Reads a text file line by line from a byte offset, knowing the byte offset after every line, so an import can
// stop after a batch and a later run can continue from exactly there. Handles a UTF-8 BOM and CRLF endings.

export type Line = { text: string; number: number; end: number };

const BOM = [0xef, 0xbb, 0xbf];

export async function* readLines(path: string, opts: { start: number; firstLineNumber: number }): AsyncGenerator<Line> {
  const stream = createReadStream(path, { start: opts.start, highWaterMark: 1 << 20 });
  let carry: Buffer | null = null;
  let offset = opts.start;
  let number = opts.firstLineNumber;
  let first = opts.start === 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const base = offset - (carry?.length ?? 0);
    carry = null;
    let from = 0;
    if (first) {
      first = false;
      if (buf.length >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) from = 3;
    }
    for (;;) {
      const nl = buf.indexOf(0x0a, from);
      if (nl === -1) break;
      const endOfText = nl > from && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      yield { text: buf.toString("utf8", from, endOfText), number, end: base + nl + 1 };
      number++;
      from = nl + 1;
    }
    if (from < buf.length) carry = buf.subarray(from);
    buf = Buffer.alloc(0);
    offset += chunk.length;
  }
  if (carry && carry.length > 0) {
    const text = carry.toString("utf8").replace(/\r$/, "");
    yield { text, number, end: offset };
  }
}
