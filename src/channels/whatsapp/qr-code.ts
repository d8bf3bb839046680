import QRCode from 'qrcode';

/** The QR as an inline SVG element, made here: the staff page loads nothing from elsewhere. */
export function qrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { type: 'svg', margin: 2, errorCorrectionLevel: 'L' });
}

/** Prints the QR to a terminal (only a terminal: in a log file it would be noise). */
export async function printQrToTerminal(payload: string, out: NodeJS.WriteStream = process.stdout): Promise<boolean> {
  if (!out.isTTY) return false;
  const art = await QRCode.toString(payload, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
  out.write(`\nScan with WhatsApp → Linked devices → Link a device (also on GET /whatsapp):\n${art}\n`);
  return true;
}
