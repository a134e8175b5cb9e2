// Zoom, pan and rotation of an image stage inside its frame; screen <-> image pixel conversion.

export class Viewport {
  constructor(frame, stage, { zoomBy = 1.1, negativeZoom = false, onChange } = {}) {
    this.frame = frame;
    this.stage = stage;
    this.zoomBy = zoomBy;
    this.negativeZoom = negativeZoom;
    this.onChange = onChange || (() => {});
    this.width = 1;
    this.height = 1;
    this.scale = 1;
    this.fitScale = 1;
    this.tx = 0;
    this.ty = 0;
    this.rotation = 0;
  }

  setSize(width, height) {
    this.width = width;
    this.height = height;
  }

  frameSize() {
    return { w: this.frame.clientWidth || 1, h: this.frame.clientHeight || 1 };
  }

  /** Bounding size of the rotated image, in image pixels. */
  rotatedSize() {
    const quarter = ((this.rotation % 180) + 180) % 180 === 90;
    return quarter ? { w: this.height, h: this.width } : { w: this.width, h: this.height };
  }

  fit() {
    const { w, h } = this.frameSize();
    const r = this.rotatedSize();
    this.fitScale = Math.min(w / r.w, h / r.h);
    this.scale = this.fitScale;
    this.center();
  }

  original() {
    this.scale = 1;
    this.center();
  }

  center() {
    const { w, h } = this.frameSize();
    const r = this.rotatedSize();
    this.tx = (w - r.w * this.scale) / 2;
    this.ty = Math.max(0, (h - r.h * this.scale) / 2);
    this.apply();
  }

  zoomAt(factor, clientX, clientY) {
    const min = this.negativeZoom ? this.fitScale / 8 : Math.min(this.fitScale, 1);
    const next = Math.min(32, Math.max(min, this.scale * factor));
    const rect = this.frame.getBoundingClientRect();
    const fx = (clientX ?? rect.left + rect.width / 2) - rect.left;
    const fy = (clientY ?? rect.top + rect.height / 2) - rect.top;
    this.tx = fx - ((fx - this.tx) * next) / this.scale;
    this.ty = fy - ((fy - this.ty) * next) / this.scale;
    this.scale = next;
    this.apply();
  }

  zoom(direction) {
    this.zoomAt(direction > 0 ? this.zoomBy : 1 / this.zoomBy);
  }

  pan(dx, dy) {
    this.tx += dx;
    this.ty += dy;
    this.apply();
  }

  rotate(degrees) {
    this.rotation = (((this.rotation + degrees) % 360) + 360) % 360;
    this.fit();
  }

  /** The stage transform: translate, scale, then rotate about the image so it stays in the box. */
  apply() {
    const r = this.rotatedSize();
    const s = this.scale;
    let offset = "";
    if (this.rotation === 90) offset = `translate(${this.height}px, 0)`;
    else if (this.rotation === 180) offset = `translate(${this.width}px, ${this.height}px)`;
    else if (this.rotation === 270) offset = `translate(0, ${this.width}px)`;
    this.stage.style.transform =
      `translate(${this.tx}px, ${this.ty}px) scale(${s}) ${offset} rotate(${this.rotation}deg)`;
    this.boxWidth = r.w * s;
    this.onChange(this);
  }

  /** Screen pixels per image pixel. */
  get pixelRatio() {
    return this.scale;
  }
}

/** Image pixel coordinates of a pointer event, using the SVG's own screen transform. */
export function toImage(svg, clientX, clientY) {
  const m = svg.getScreenCTM();
  if (!m) return { x: 0, y: 0 };
  const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}
