// Brush regions: one canvas per region at the image's pixel size, painted in the label colour and
// saved as Label Studio's RLE.

import { maskFromRle, rleFromMask } from "../editor/rle.js";

function rgb(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  const n = m ? parseInt(m[1], 16) : 0xe8590c;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export class BrushLayer {
  constructor(container) {
    this.container = container;
    this.canvases = new Map(); // id -> {canvas, rle, color}
    this.width = 1;
    this.height = 1;
  }

  setSize(width, height) {
    this.width = width;
    this.height = height;
  }

  canvasFor(region, color) {
    let entry = this.canvases.get(region.id);
    if (!entry) {
      const canvas = document.createElement("canvas");
      canvas.width = this.width;
      canvas.height = this.height;
      canvas.className = "brush-layer";
      canvas.dataset.id = region.id;
      this.container.append(canvas);
      entry = { canvas, rle: null, color: null };
      this.canvases.set(region.id, entry);
    }
    if (entry.rle !== region.value.rle || entry.color !== color) {
      this.paintMask(entry.canvas, region.value.rle, color);
      entry.rle = region.value.rle;
      entry.color = color;
    }
    return entry.canvas;
  }

  paintMask(canvas, rle, color) {
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!rle || !rle.length) return;
    const mask = maskFromRle(rle, canvas.width, canvas.height);
    const img = ctx.createImageData(canvas.width, canvas.height);
    const [r, g, b] = rgb(color);
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      const o = p * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  /** Show exactly these regions' canvases. */
  sync(regions, colorOf, selectedId) {
    const keep = new Set();
    for (const region of regions) {
      const canvas = this.canvasFor(region, colorOf(region));
      canvas.hidden = Boolean(region.hidden);
      canvas.classList.toggle("selected", region.id === selectedId);
      keep.add(region.id);
    }
    for (const [id, entry] of this.canvases) {
      if (!keep.has(id)) {
        entry.canvas.remove();
        this.canvases.delete(id);
      }
    }
  }

  /** Paint (or erase) a line segment in image pixels. */
  stroke(region, color, from, to, size, erase) {
    const canvas = this.canvasFor(region, color);
    const ctx = canvas.getContext("2d");
    ctx.save();
    ctx.globalCompositeOperation = erase ? "destination-out" : "source-over";
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = size;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    ctx.restore();
  }

  /** The region's mask as Label Studio's RLE (after a stroke ends). */
  encode(region) {
    const entry = this.canvases.get(region.id);
    if (!entry) return region.value.rle || [];
    const { data } = entry.canvas.getContext("2d").getImageData(0, 0, entry.canvas.width, entry.canvas.height);
    const mask = new Uint8Array(data.length >>> 2);
    let painted = false;
    for (let p = 0; p < mask.length; p++) {
      if (data[p * 4 + 3] > 127) {
        mask[p] = 255;
        painted = true;
      }
    }
    const rle = painted ? rleFromMask(mask) : [];
    entry.rle = rle;
    return rle;
  }
}
