/** Reads a QR code from a video frame. jsQR is loaded here, on the scan screen only: it stays out of
 * the initial JavaScript (Chromium on Linux has no BarcodeDetector to use instead). */
export type Decode = (frame: ImageData) => string | null;

export async function loadDecoder(): Promise<Decode> {
  const { default: jsQR } = await import("jsqr");
  return (frame) => jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
}
