// Region geometry in image pixels (regions store Label Studio's percents of the image size).

export function rad(deg) {
  return (deg * Math.PI) / 180;
}

export function rotatePoint(p, deg) {
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  return { x: p.x * c - p.y * s, y: p.x * s + p.y * c };
}

/** {x, y, w, h, rotation} in pixels for rectangles; {x, y, rx, ry, rotation} for ellipses. */
export function toPx(region, W, H) {
  const v = region.value;
  switch (region.tool) {
    case "rectangle":
      return { x: (v.x * W) / 100, y: (v.y * H) / 100, w: (v.width * W) / 100, h: (v.height * H) / 100,
        rotation: v.rotation || 0 };
    case "ellipse":
      return { x: (v.x * W) / 100, y: (v.y * H) / 100, rx: (v.radiusX * W) / 100, ry: (v.radiusY * H) / 100,
        rotation: v.rotation || 0 };
    case "keypoint":
      return { x: (v.x * W) / 100, y: (v.y * H) / 100, r: v.width || 1 };
    case "polygon":
      return { points: (v.points || []).map(([x, y]) => ({ x: (x * W) / 100, y: (y * H) / 100 })), closed: v.closed };
    default:
      return {};
  }
}

const round = (n) => Math.round(n * 1e6) / 1e6;

/** Write pixel geometry back as percents. */
export function fromPx(region, px, W, H) {
  const v = region.value;
  switch (region.tool) {
    case "rectangle":
      Object.assign(v, { x: round((px.x / W) * 100), y: round((px.y / H) * 100), width: round((px.w / W) * 100),
        height: round((px.h / H) * 100), rotation: round(((px.rotation % 360) + 360) % 360) });
      break;
    case "ellipse":
      Object.assign(v, { x: round((px.x / W) * 100), y: round((px.y / H) * 100), radiusX: round((px.rx / W) * 100),
        radiusY: round((px.ry / H) * 100), rotation: round(((px.rotation % 360) + 360) % 360) });
      break;
    case "keypoint":
      Object.assign(v, { x: round((px.x / W) * 100), y: round((px.y / H) * 100) });
      break;
    case "polygon":
      v.points = px.points.map((p) => [round((p.x / W) * 100), round((p.y / H) * 100)]);
      v.closed = px.closed;
      break;
    default:
  }
}

export function clampPoint(p, W, H) {
  return { x: Math.min(W, Math.max(0, p.x)), y: Math.min(H, Math.max(0, p.y)) };
}

/** Corners of a rotated rectangle (rotation about its top-left corner, as Label Studio does). */
export function rectCorners(px) {
  return [[0, 0], [px.w, 0], [px.w, px.h], [0, px.h]].map(([x, y]) => {
    const r = rotatePoint({ x, y }, px.rotation);
    return { x: px.x + r.x, y: px.y + r.y };
  });
}

export function translate(region, dx, dy, W, H) {
  const px = toPx(region, W, H);
  if (region.tool === "polygon") px.points = px.points.map((p) => ({ x: p.x + dx, y: p.y + dy }));
  else {
    px.x += dx;
    px.y += dy;
  }
  fromPx(region, px, W, H);
}
