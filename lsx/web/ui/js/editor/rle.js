// Label Studio's brush masks: an RGBA buffer (width x height x 4) packed in @thi.ng/rle-pack's
// bit format: 32-bit count, 5-bit word size - 1, four 4-bit run-length field sizes - 1, then
// records of [1 bit repeat?][2 bit size index][n bits length - 1][word (repeat) | words (literal)].

const SIZES = [3, 4, 8, 16];

class BitReader {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  read(n) {
    let out = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.pos >>> 3] || 0;
      out = out * 2 + ((byte >>> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return out;
  }
}

class BitWriter {
  constructor(capacity) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
    this.pos = 0;
  }

  write(value, n) {
    if (((this.pos + n) >>> 3) + 1 >= this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + n);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    for (let i = n - 1; i >= 0; i--) {
      const bit = Math.floor(value / 2 ** i) & 1;
      if (bit) this.bytes[this.pos >>> 3] |= 0x80 >>> (this.pos & 7);
      this.pos++;
    }
  }

  result() {
    return this.bytes.slice(0, (this.pos + 7) >>> 3);
  }
}

/** Decode Label Studio's `rle` (array of byte values) into a Uint8Array. */
export function decode(rle) {
  const input = new BitReader(rle instanceof Uint8Array ? rle : Uint8Array.from(rle));
  const num = input.read(32);
  const wordSize = input.read(5) + 1;
  const sizes = [0, 0, 0, 0].map(() => input.read(4) + 1);
  const out = new Uint8Array(num);
  for (let i = 0; i < num;) {
    const repeat = input.read(1);
    const j = Math.min(num, i + 1 + input.read(sizes[input.read(2)]));
    if (repeat) {
      out.fill(input.read(wordSize), i, j);
      i = j;
    } else {
      for (; i < j; i++) out[i] = input.read(wordSize);
    }
  }
  return out;
}

function sizeIndex(n) {
  for (let t = 0; t < SIZES.length; t++) if (n < 2 ** SIZES[t]) return t;
  return -1;
}

/** Encode bytes (an RGBA buffer) into Label Studio's `rle` array of byte values. */
export function encode(src) {
  const num = src.length;
  const out = new BitWriter((num >>> 6) + 16);
  out.write(num, 32);
  out.write(7, 5);
  for (const size of SIZES) out.write(size - 1, 4);
  const maxRun = 2 ** SIZES[SIZES.length - 1];
  let i = 0;
  let literalStart = -1;
  const flushLiteral = (end) => {
    while (literalStart >= 0 && literalStart < end) {
      const n = Math.min(maxRun, end - literalStart);
      const t = sizeIndex(n - 1);
      out.write(0, 1);
      out.write(t, 2);
      out.write(n - 1, SIZES[t]);
      for (let k = literalStart; k < literalStart + n; k++) out.write(src[k], 8);
      literalStart += n;
    }
    literalStart = -1;
  };
  while (i < num) {
    let j = i + 1;
    while (j < num && src[j] === src[i] && j - i < maxRun) j++;
    if (j - i >= 3) {
      flushLiteral(i);
      const n = j - i;
      const t = sizeIndex(n - 1);
      out.write(1, 1);
      out.write(t, 2);
      out.write(n - 1, SIZES[t]);
      out.write(src[i], 8);
    } else if (literalStart < 0) {
      literalStart = i;
    }
    i = j;
  }
  flushLiteral(num);
  return Array.from(out.result());
}

/** A mask (1 byte per pixel, 0 or 255) from an rle of width x height RGBA: the alpha channel. */
export function maskFromRle(rle, width, height) {
  const rgba = decode(rle);
  const mask = new Uint8Array(width * height);
  for (let p = 0, n = Math.min(mask.length, rgba.length >>> 2); p < n; p++) mask[p] = rgba[p * 4 + 3] ? 255 : 0;
  return mask;
}

/** The rle of a mask: painted pixels become (255, 255, 255, 255), others (0, 0, 0, 0). */
export function rleFromMask(mask) {
  const rgba = new Uint8Array(mask.length * 4);
  for (let p = 0; p < mask.length; p++) if (mask[p]) rgba.fill(255, p * 4, p * 4 + 4);
  return encode(rgba);
}
