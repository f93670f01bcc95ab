import { encode } from "uqr";

export interface QrDrawing {
  /** Modules per side, quiet zone included. */
  size: number;
  /** One SVG path of the dark modules, one unit per module. */
  path: string;
}

const QUIET_ZONE = 4; // modules of white around the code, as the standard asks

/** A QR code as an SVG path, drawn in the browser: the connect URL never leaves the phone to be drawn. */
export function qrDrawing(text: string): QrDrawing {
  const { data, size } = encode(text, { ecc: "M", border: QUIET_ZONE });
  let path = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  return { size, path };
}
