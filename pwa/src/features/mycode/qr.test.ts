import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { qrDrawing } from "./qr";

/** Paints the drawing's modules into RGBA pixels, as a camera frame would show them. */
function rasterize(text: string, scale = 4): { data: Uint8ClampedArray; width: number } {
  const { size, path } = qrDrawing(text);
  const width = size * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y] of path.matchAll(/M(\d+) (\d+)/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        data.fill(0, at, at + 3);
      }
    }
  }
  return { data, width };
}

describe("connect QR", () => {
  it("draws a code that a QR reader reads back", () => {
    const url = "https://couloir.example/c/Q2h8sLq0XwTn3v-5bYk_Ff7Rj1mZpAe9uGdHcIoKtW4";
    const { data, width } = rasterize(url);
    expect(jsQR(data, width, width)?.data).toBe(url);
  });

  it("keeps a quiet zone of 4 modules", () => {
    const { size, path } = qrDrawing("https://x/c/abcdefghijklmnop");
    const xs = [...path.matchAll(/M(\d+) (\d+)/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
    expect(Math.min(...xs)).toBe(4);
    expect(Math.max(...xs)).toBe(size - 5);
  });
});
